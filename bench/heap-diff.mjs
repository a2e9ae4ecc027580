#!/usr/bin/env node
// What each connection costs, by type: reads two V8 heap snapshots (e.g. the pair BENCH_HEAP_SNAPSHOT=1 writes
// before and after the connection-scale phase) and prints, per constructor or type, the difference in self size
// and in object count divided by the number of connections. See bench/README.md "Profiling".
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const USAGE = `usage: node bench/heap-diff.mjs <before.heapsnapshot> <after.heapsnapshot> [--conns N] [--top N] [--strings] [--retainers NAME]
  --conns N         connections between the two snapshots (default: read from the file names, <name>-<N>-clients)
  --top N           rows to print (default 40)
  --strings         also group strings by their text (first 60 characters), to see which ones every connection copies
  --retainers NAME  for the objects of that row (as printed, e.g. Object, "native_bind [closure]", "(string)") that
                    are new in the second snapshot: what holds them, as "holder.edge" per connection (repeatable)`;

const args = process.argv.slice(2);
const files = [];
const opt = { conns: 0, top: 40, strings: false, retainers: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--help' || a === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else if (a === '--conns') opt.conns = Number(args[++i]);
  else if (a === '--top') opt.top = Number(args[++i]);
  else if (a === '--strings') opt.strings = true;
  else if (a === '--retainers') opt.retainers.push(args[++i]);
  else files.push(a);
}
if (files.length !== 2) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const clientsIn = (file) => Number(/-(\d+)-clients/.exec(basename(file))?.[1] ?? Number.NaN);
const conns = opt.conns || clientsIn(files[1]) - clientsIn(files[0]);
if (!(conns > 0)) {
  process.stderr.write('cannot tell the number of connections from the file names: pass --conns N\n');
  process.exit(2);
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/** The group a node is counted in. */
function keyOf(type, name) {
  // A string's "name" is its text and a code object's is its function's: grouped by type, not by the millions of names.
  if (STRING_TYPES.has(type) || type === 'number' || type === 'code' || type === 'bigint') return `(${type})`;
  if (type === 'object') return name;
  return `${name} [${type}]`;
}

/** Self size and count per group key, from one snapshot (and the parsed snapshot, for --retainers). */
function summarize(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = meta.node_types[typeAt];
  const { nodes, strings } = snap;
  const groups = new Map();
  const texts = new Map();
  let total = 0;
  const add = (map, key, size) => {
    const g = map.get(key);
    if (g) {
      g.size += size;
      g.count++;
    } else map.set(key, { size, count: 1 });
  };
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]];
    const size = nodes[i + sizeAt];
    total += size;
    const name = strings[nodes[i + nameAt]];
    add(groups, keyOf(type, name), size);
    if (opt.strings && STRING_TYPES.has(type)) add(texts, JSON.stringify(name.slice(0, 60)), size);
  }
  return { groups, texts, total, count: nodes.length / stride, snap };
}

function diff(before, after) {
  const rows = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { size: 0, count: 0 };
    rows.push({ key, size: a.size - b.size, count: a.count - b.count });
  }
  for (const [key, b] of before) if (!after.has(key)) rows.push({ key, size: -b.size, count: -b.count });
  return rows.sort((x, y) => y.size - x.size);
}

function print(title, rows, top) {
  const shown = rows.filter((r) => r.size !== 0 || r.count !== 0);
  process.stdout.write(`\n${title}\n${'bytes/conn'.padStart(11)} ${'count/conn'.padStart(11)}  name\n`);
  for (const r of shown.slice(0, top)) {
    process.stdout.write(`${(r.size / conns).toFixed(1).padStart(11)} ${(r.count / conns).toFixed(2).padStart(11)}  ${r.key}\n`);
  }
  const rest = shown.slice(top);
  if (rest.length) {
    const size = rest.reduce((s, r) => s + r.size, 0);
    process.stdout.write(`${(size / conns).toFixed(1).padStart(11)} ${''.padStart(11)}  (${rest.length} more)\n`);
  }
}

/** Ids of every node in a snapshot: V8 keeps an object's id across the snapshots of one process. */
function idsOf(snap) {
  const fields = snap.snapshot.meta.node_fields;
  const stride = fields.length;
  const idAt = fields.indexOf('id');
  const ids = new Set();
  for (let i = 0; i < snap.nodes.length; i += stride) ids.add(snap.nodes[i + idAt]);
  return ids;
}

/** For the new nodes of each wanted group: their holders, as "holder key.edge name", counted per connection. */
function retainers(beforeSnap, afterSnap, wanted) {
  const oldIds = idsOf(beforeSnap);
  const { snapshot, nodes, edges, strings } = afterSnap;
  const nf = snapshot.meta.node_fields;
  const ef = snapshot.meta.edge_fields;
  const stride = nf.length;
  const estride = ef.length;
  const [typeAt, nameAt, idAt, sizeAt, countAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [etypeAt, enameAt, etoAt] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
  const types = snapshot.meta.node_types[typeAt];
  const etypes = snapshot.meta.edge_types[etypeAt];
  const nodeKey = (i) => keyOf(types[nodes[i + typeAt]], strings[nodes[i + nameAt]]);
  const out = new Map(wanted.map((w) => [w, new Map()]));
  for (let from = 0, e = 0; from < nodes.length; from += stride) {
    const end = e + nodes[from + countAt] * estride;
    for (; e < end; e += estride) {
      const etype = etypes[edges[e + etypeAt]];
      if (etype === 'weak') continue;
      const to = edges[e + etoAt];
      const target = out.get(nodeKey(to));
      if (!target || oldIds.has(nodes[to + idAt])) continue;
      const raw = edges[e + enameAt];
      const edge = etype === 'element' || etype === 'hidden' ? `[${etype}]` : String(strings[raw]);
      const k = `${nodeKey(from)}.${edge}`;
      const g = target.get(k);
      if (g) {
        g.count++;
        g.size += nodes[to + sizeAt];
      } else target.set(k, { key: k, count: 1, size: nodes[to + sizeAt] });
    }
  }
  return out;
}

const before = summarize(files[0]);
const after = summarize(files[1]);
process.stdout.write(
  `${basename(files[0])} -> ${basename(files[1])}: ${conns} connections, self size ` +
    `+${((after.total - before.total) / conns / 1024).toFixed(2)} KB/conn, ` +
    `+${((after.count - before.count) / conns).toFixed(1)} objects/conn\n`,
);
print('by constructor or type', diff(before.groups, after.groups), opt.top);
if (opt.strings) print('strings by text', diff(before.texts, after.texts), opt.top);
for (const [name, holders] of opt.retainers.length ? retainers(before.snap, after.snap, opt.retainers) : []) {
  // One object can have several holders, so the rows can add up to more than the objects.
  print(`new "${name}" by holder (bytes are the held objects' self size; one object may be counted under several holders)`, [...holders.values()].sort((x, y) => y.size - x.size), opt.top);
}

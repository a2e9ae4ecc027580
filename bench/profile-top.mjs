#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, or `node bench/run.mjs --cpu-prof`): self time by
// function and by package, so the hot path of a bench run can be read without a browser.
import { readFileSync } from 'node:fs';
import { packageOf } from './lib/profile.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs <file.cpuprofile> [rows] [fromEnd,toEnd seconds]\n');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 30);
// Optional: only samples from `fromEnd` to `toEnd` seconds before the profile's end, e.g. a long last step.
const [fromEnd, toEnd] = (process.argv[4] ?? '').split(',').map(Number);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
const end = profile.endTime;
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (fromEnd > 0 && (t < end - fromEnd * 1e6 || t > end - (toEnd || 0) * 1e6)) continue;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const fn = new Map();
const pkg = new Map();
for (const [id, us] of selfUs) {
  const { callFrame: cf } = byId.get(id);
  const name = `${cf.functionName || '(anonymous)'} ${packageOf(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fn.set(name, (fn.get(name) ?? 0) + us);
  pkg.set(packageOf(cf.url), (pkg.get(packageOf(cf.url)) ?? 0) + us);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
// Inclusive time: a function's own samples plus its callees', counted once per stack even under recursion.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
const inclusive = new Map();
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self time by package', pkg, 15);
show('self time by function', fn, rows);
show('inclusive time by function', inclusive, rows);

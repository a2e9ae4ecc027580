#!/usr/bin/env node
// Summarizes a V8 sampling heap profile written by BENCH_ALLOC_PROFILE=<prefix> (bench/lib/probe.cjs: collected
// garbage included, unlike `node --heap-prof`): bytes allocated over the whole run, by function and by package, so
// the garbage a message makes can be traced to its source. Divide by the messages sent to get bytes per message.
import { readFileSync } from 'node:fs';
import { packageOf } from './lib/profile.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/alloc-top.mjs <file.heapprofile> [rows] [messages]\n');
  process.exit(2);
}
const rows = Number(process.argv[3] ?? 30);
const messages = Number(process.argv[4] ?? 0);
const { head } = JSON.parse(readFileSync(file, 'utf8'));

const byFunction = new Map();
const byPackage = new Map();
const inclusive = new Map();
let total = 0;
(function walk(node, stack) {
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = packageOf(url);
  const key = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
  const self = node.selfSize ?? 0;
  total += self;
  byFunction.set(key, (byFunction.get(key) ?? 0) + self);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self);
  const seen = new Set(stack);
  const subtotal = node.children.reduce((sum, child) => sum + walk(child, [...stack, key]), self);
  if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + subtotal);
  return subtotal;
})(head, []);

const mb = (b) => `${(b / 1048576).toFixed(1)} MB`.padStart(10);
const perMessage = (b) => (messages > 0 ? `${(b / messages).toFixed(0)} B/msg`.padStart(12) : '');
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)} % ${mb(bytes)}${perMessage(bytes)}  ${name}`);
  }
};
console.log(`${file}: ${mb(total).trim()} sampled${messages ? `, ${(total / messages).toFixed(0)} B per message over ${messages} messages` : ''}`);
print('allocated by package', byPackage);
print('allocated by function (self)', byFunction);
print('allocated by function (inclusive)', inclusive);

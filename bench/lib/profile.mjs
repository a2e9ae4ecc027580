/**
 * The package a V8 profile's call frame belongs to, from its script URL: an npm package (also under pnpm's store),
 * `node:core`, `app <file>` for the built backend, or the file itself; `(native/vm)` for frames without a script.
 * Shared by the CPU (profile-top.mjs) and allocation (alloc-top.mjs) summaries.
 */
export function packageOf(url) {
  if (!url) return '(native/vm)';
  if (url.includes('/backend/dist/') || url.includes('/bench-dist/')) return `app ${url.split(/\/(?:bench-)?dist\//)[1]}`;
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:core';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

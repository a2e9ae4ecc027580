// Preloaded into every measured server (`node --expose-gc -r bench/lib/probe.cjs ...`) so that ours and
// the baseline report memory the same way: GET /probe?gc=1 collects garbage first, then answers
// process.memoryUsage() and the event-loop delay since the last &reset=1; &snapshot=<file> also writes a
// heap snapshot there. Listens on 127.0.0.1:BENCH_PROBE_PORT only; absent the variable it does nothing.
// BENCH_ALLOC_PROFILE=<prefix> samples every allocation of the process's life, collected garbage included (which
// `node --heap-prof` leaves out), and writes <prefix>-<script>-<pid>.heapprofile on exit; read it with
// bench/alloc-top.mjs.
'use strict';
const http = require('node:http');

const port = Number(process.env.BENCH_PROBE_PORT);
if (port > 0) {
  // Event-loop delay since the last ?reset=1, to tell a stalled server from a slow database.
  const loop = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://probe');
    if (url.pathname !== '/probe') {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('gc') === '1' && typeof global.gc === 'function') {
      // Two passes: the first can leave objects with finalizers for the second.
      global.gc();
      global.gc();
    }
    const eventLoop = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    if (url.searchParams.get('reset') === '1') loop.reset();
    const snapshot = url.searchParams.get('snapshot');
    // For digging into a per-connection figure: a heap snapshot to open in DevTools.
    if (snapshot) require('node:v8').writeHeapSnapshot(snapshot);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pid: process.pid, eventLoop, ...process.memoryUsage() }));
  });
  server.listen(port, '127.0.0.1');
  server.unref();
}

const allocProfile = process.env.BENCH_ALLOC_PROFILE;
if (allocProfile) {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      const script = require('node:path').basename(process.argv[1] ?? 'node', '.js');
      if (!error) require('node:fs').writeFileSync(`${allocProfile}-${script}-${process.pid}.heapprofile`, JSON.stringify(result.profile));
    });
  };
  // The servers stop on SIGTERM; the inspector answers synchronously, so the file is written before exit.
  process.prependListener('SIGTERM', write);
  process.on('exit', write);
}

// Options come from flags (--clients 500 or --clients=500) or BENCH_* variables; flags win.
const PRESETS = {
  default: {
    clients: 1000,
    group: 10,
    steps: [100, 250, 500, 750, 1000, 1250, 1500, 2000],
    warmup: 3,
    duration: 12,
    scaleClients: 5000,
  },
  // A minute or two: enough to see that both servers work and roughly where they stand.
  quick: { clients: 200, group: 10, steps: [100, 500, 1000], warmup: 1, duration: 4, scaleClients: 1000 },
  // Seconds: proves the bench still runs end to end; judges correctness only, never speed.
  smoke: { clients: 40, group: 10, steps: [20, 50], warmup: 1, duration: 2, scaleClients: 100 },
};

const SPEC = {
  clients: 'int',
  group: 'int',
  steps: 'list',
  warmup: 'number',
  duration: 'number',
  scaleClients: 'int',
  workers: 'int',
  pool: 'int',
  bodyBytes: 'int',
  only: 'string',
  app: 'string',
  keepGoing: 'bool',
  cpuProf: 'bool',
  quick: 'bool',
  smoke: 'bool',
  p99LimitMs: 'number',
};

const kebab = (k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (k) => `BENCH_${kebab(k).replace(/-/g, '_').toUpperCase()}`;

function convert(key, raw) {
  const type = SPEC[key];
  if (type === 'bool') return raw === true || raw === '' || raw === '1' || raw === 'true';
  if (type === 'string') return String(raw);
  if (type === 'list') {
    const list = String(raw).split(',').map(Number);
    if (list.some((n) => !(n > 0))) throw new Error(`--${kebab(key)} must be a comma-separated list of positive numbers`);
    return list;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (type === 'int' && !Number.isInteger(n))) throw new Error(`--${kebab(key)} must be a non-negative ${type === 'int' ? 'integer' : 'number'}`);
  return n;
}

export const USAGE = `usage: node bench/run.mjs [--quick | --smoke] [options]
  --clients N        socket.io clients sending and receiving in the throughput steps (default 1000)
  --group N          members per group chat; every message fans out to N sockets (default 10)
  --steps a,b,c      total send rates in messages/s (default 100,250,500,750,1000,1250,1500,2000)
  --warmup S         seconds of unmeasured load before each step (default 3)
  --duration S       measured seconds per step (default 12)
  --scale-clients N  idle clients in the connection-scale phase, 0 to skip (default 5000)
  --workers N        load-generator threads (default 2)
  --pool N           database pool size of both servers (default 20)
  --body-bytes N     filler bytes per message body (default 64)
  --only ours|baseline   measure one side only
  --app PATH         the app's compiled entry point (default backend/dist/main.js)
  --keep-going       keep stepping a server up after a failed step (by default a failed step is
                     re-run once, or twice when CPU steal was over 10 %, and a server stops at its
                     first step that fails every attempt)
  --cpu-prof         run both servers under --cpu-prof; ours.cpuprofile and baseline.cpuprofile land in
                     the run's log folder (read them with node bench/profile-top.mjs)
  --p99-limit-ms N   the capacity line for p99 send->receive (default 100)
Every option also reads BENCH_<NAME> (e.g. BENCH_SCALE_CLIENTS=2000).`;

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const given = {};
  for (const [key] of Object.entries(SPEC)) if (env[envName(key)] !== undefined && env[envName(key)] !== '') given[key] = convert(key, env[envName(key)]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') return { help: true };
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const key = m && Object.keys(SPEC).find((k) => kebab(k) === m[1]);
    if (!key) throw new Error(`unknown option ${arg}\n${USAGE}`);
    if (SPEC[key] === 'bool') given[key] = convert(key, m[2] ?? true);
    else given[key] = convert(key, m[2] ?? argv[++i]);
  }
  const preset = given.smoke ? PRESETS.smoke : given.quick ? PRESETS.quick : PRESETS.default;
  const o = { workers: 2, pool: 20, bodyBytes: 64, only: null, keepGoing: false, cpuProf: false, p99LimitMs: 100, ...preset, ...given };
  if (o.only && !['ours', 'baseline'].includes(o.only)) throw new Error('--only must be ours or baseline');
  if (o.group < 1 || o.clients < o.group) throw new Error('--clients must be at least --group');
  if (o.workers < 1) throw new Error('--workers must be at least 1');
  // Whole chats only, so every message has exactly `group` recipients.
  o.clients = Math.ceil(o.clients / o.group) * o.group;
  o.chats = o.clients / o.group;
  return o;
}

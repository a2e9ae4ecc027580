// Fails when the committed client under src/client is not what openapi.json generates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const here = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'api-client-'));
const list = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? list(path) : [path];
  });
try {
  execFileSync('pnpm', ['exec', 'openapi-ts'], { cwd: here, env: { ...process.env, OPENAPI_TS_OUTPUT: scratch }, stdio: 'ignore' });
  const committedDir = join(here, 'src', 'client');
  const fresh = list(scratch).map((p) => relative(scratch, p)).sort();
  const committed = list(committedDir).map((p) => relative(committedDir, p)).sort();
  const stale =
    fresh.join('\n') !== committed.join('\n') ||
    fresh.some((f) => readFileSync(join(scratch, f), 'utf8') !== readFileSync(join(committedDir, f), 'utf8'));
  if (stale) {
    console.error('openapi/src/client is out of date with openapi.json: run `pnpm openapi` and commit the result');
    process.exit(1);
  }
  console.log('openapi/src/client matches openapi.json');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

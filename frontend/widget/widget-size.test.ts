import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

/** The budget sites pay for the chat on every page: widget.js, gzipped. */
const BUDGET_BYTES = 50 * 1024;

describe('widget.js bundle', () => {
  it(`is one script within ${BUDGET_BYTES / 1024} KB gzipped, without React`, async () => {
    const result = (await build({
      configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
      mode: 'production',
      logLevel: 'silent',
      build: { write: false },
    })) as Rollup.RollupOutput | Rollup.RollupOutput[];
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const chunks = outputs.filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
    expect(chunks.map((c) => c.fileName)).toEqual(['widget.js']);
    const code = chunks[0]!.code;
    const gzipped = gzipSync(code, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(code).not.toMatch(/react\.development|__REACT_DEVTOOLS|useState/);
    console.log(`widget.js: ${code.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET_BYTES})`);
  });
});

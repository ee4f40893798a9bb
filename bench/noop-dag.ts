// The synthetic 1,000-instance project bench/noop.ts measures: stage files are generated into
// bench/out/noop-project so the engine derives their import graphs like any project's.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Dag } from '../engine/dag.ts';

export const BLOB_MB = Number(process.env.WT_BENCH_BLOB_MB ?? 20);
const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, 'out', 'noop-project');
export const COUNTS = { blob: 100, feature: 400, pair: 400, summary: 99, all: 1 };
export function writeProject(): void {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(join(ROOT, 'stages'), { recursive: true });
  writeFileSync(join(ROOT, 'package.json'), '{"name":"noop-bench","private":true,"type":"module"}');
  const engine = '../../../../engine/stage.ts';
  writeFileSync(
    join(ROOT, 'stages', 'blob.ts'),
    `import { z } from 'zod';
import { defineStage } from '${engine}';
export const blob = defineStage(import.meta.url, {
  name: 'blob', isolation: 'inline', params: z.strictObject({ i: z.number(), mb: z.number() }),
  run(ctx) { const b = Buffer.alloc(ctx.params.mb << 20, ctx.params.i * 2654435761 % 251); b.writeUInt32LE(ctx.params.i, 0); ctx.writeOutput('blob.bin', b); },
});\n`,
  );
  for (const name of ['feature', 'pair', 'summary', 'all']) {
    writeFileSync(
      join(ROOT, 'stages', `${name}.ts`),
      `import { z } from 'zod';
import { defineStage } from '${engine}';
export const ${name} = defineStage(import.meta.url, {
  name: '${name}', isolation: 'inline', params: z.strictObject({ i: z.number() }), deps: { inputs: 'many' },
  run(ctx) { ctx.writeJson('out.json', { i: ctx.params.i, from: ctx.deps.inputs.map((u) => u.outputDigest) }); },
});\n`,
    );
  }
}

export async function makeDag(): Promise<Dag> {
  const mod = async (n: string) => (await import(pathToFileURL(join(ROOT, 'stages', `${n}.ts`)).href))[n];
  const [blob, feature, pair, summary, all] = await Promise.all(['blob', 'feature', 'pair', 'summary', 'all'].map(mod));
  const dag = new Dag();
  const blobs = Array.from({ length: COUNTS.blob }, (_, i) => dag.add(blob, { i, mb: BLOB_MB }, {}));
  const features = Array.from({ length: COUNTS.feature }, (_, i) => dag.add(feature, { i }, { inputs: [blobs[i % blobs.length]!] }));
  const pairs = Array.from({ length: COUNTS.pair }, (_, i) =>
    dag.add(pair, { i }, { inputs: [features[i]!, features[(i * 7 + 1) % features.length]!] }),
  );
  const sums = Array.from({ length: COUNTS.summary }, (_, i) =>
    dag.add(summary, { i }, { inputs: pairs.filter((_, j) => j % COUNTS.summary === i) }),
  );
  dag.group('everything', [dag.add(all, { i: 0 }, { inputs: sums })]);
  return dag;
}

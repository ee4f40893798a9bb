// A one-stage project whose stage reads a folder of many input files: what the lock file records
// for a folder, and how fast `status` is on it (test/engine/lock-format.test.ts, bench/lock-size.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Dag } from '../../engine/dag.ts';
import { experimentFromName } from '../../engine/experiment.ts';
import { LocalExecutor } from '../../engine/executor-local.ts';
import { Project } from '../../engine/project.ts';
import { silentReporter } from '../../engine/reporter.ts';
import { build } from '../../engine/scheduler.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

const ENGINE_FROM_STAGES = '../../../../engine/stage.ts';

/** Writes the project under `root` (at test/out/<x> or bench/out/<x> depth) with `files` input files in class folders. */
export function writeFolderProject(root: string, files: number): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'stages'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"folder-input","private":true,"type":"module"}');
  writeFileSync(
    join(root, 'stages', 'count.ts'),
    `import { z } from 'zod';
import { defineStage } from '${ENGINE_FROM_STAGES}';
export const count = defineStage(import.meta.url, {
  name: 'count', isolation: 'inline', params: z.strictObject({ root: z.string() }),
  inputs: (p) => ({ images: { root: p.root, patterns: ['**/*.png'] } }),
  run(ctx) { ctx.writeJson('count.json', { files: ctx.inputs.images!.files.length }); },
});\n`,
  );
  for (let i = 0; i < files; i++) {
    const dir = join(root, 'data', `class-${i % 10}`);
    if (i < 10) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `img-${i}.png`), `image ${i}`);
  }
}

export async function openFolderProject(root: string, lockFile = join(root, 'folder.lock.json')): Promise<Project> {
  const { count } = (await import(pathToFileURL(join(root, 'stages', 'count.ts')).href)) as { count: Parameters<Dag['add']>[0] };
  const dag = new Dag();
  dag.group('all', [dag.add(count, { root: 'data' }, {})]);
  return new Project({ dag, root, storeDir: join(root, 'store'), lockFile, experiment: experimentFromName('folder') });
}

export async function buildFolderProject(project: Project, force = false): Promise<BuildSummary> {
  const summary = await build(project, {
    targets: ['all'],
    force: force || undefined,
    executor: new LocalExecutor(1),
    reporter: silentReporter,
  });
  if (summary.exitCode !== 0) throw new Error(`build failed: ${JSON.stringify(summary.outcomes.find((o) => o.outcome === 'failed'))}`);
  return summary;
}

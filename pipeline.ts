// what-transfers: the CLI entry. The experiment's DAG is built in experiment/dag.ts from a profile.
// `npx tsx pipeline.ts figures` builds what the figures need. See README.md for the commands.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitAfterGrace, runCli } from './engine/index.ts';
import { buildDag } from './experiment/dag.ts';
import { loadProfile } from './profiles/index.ts';
import { publishReport } from './figures/publish-report.ts';

export { buildDag };

const ROOT = dirname(fileURLToPath(import.meta.url));
// Lock files (commit them, like dvc.lock), one per profile; WT_LOCK_DIR moves them (tests do).
const LOCKS = process.env.WT_LOCK_DIR || join(ROOT, 'locks');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await runCli({
    name: 'pipeline.ts',
    description: 'Reproduce "What is being transferred in transfer learning?" (Neyshabur, Sedghi & Zhang, NeurIPS 2020).',
    root: ROOT,
    defaultTargets: ['figures'],
    options: [
      { flags: '-p, --profile <name>', description: 'tiny | default | paper', defaultValue: 'default' },
      { flags: '-c, --config <file>', description: 'JSON object of profile fields to override' },
      { flags: '-s, --set <key=value>', description: 'override one profile field, e.g. finetune.epochs=5 (repeatable)', repeatable: true },
      { flags: '--strict', description: 'fail the build when a scorecard control comes out the wrong way' },
    ],
    createDag: (o) => {
      const set = [...((o.set as string[] | undefined) ?? []), ...(o.strict ? ['strict=true'] : [])];
      return buildDag(loadProfile({ profile: o.profile as string, config: o.config as string | undefined, set }));
    },
    afterBuild: (summary, project, o) => {
      const index = publishReport(summary, project, String(o.profile ?? 'default'));
      if (index && !o.json && !o.quiet) process.stderr.write(`Report: ${index}\n`);
    },
    lockFile: (o) => join(LOCKS, `${String(o.profile ?? 'default')}.lock.json`),
    allLockFiles: () => {
      try {
        return readdirSync(LOCKS).filter((f) => f.endsWith('.lock.json')).map((f) => join(LOCKS, f));
      } catch {
        return [];
      }
    },
  });
  exitAfterGrace(code);
}

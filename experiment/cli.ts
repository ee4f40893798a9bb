// The what-transfers CLI: its flags, how a profile becomes an experiment (experiment/dag.ts builds
// the DAG), and where reports are published. pipeline.ts runs it from source; pipeline.mjs runs
// the same module precompiled (dist/pipeline.mjs).
import { headlineResults } from './headline-results.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../engine/index.ts';
import { publishReport } from '../figures/publish-report.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
// Lock files (commit them, like dvc.lock), one per experiment; WT_LOCK_DIR moves them (tests do).
const LOCKS = process.env.WT_LOCK_DIR || join(ROOT, 'locks');
// Published reports, one folder per experiment, beside the store (artifacts/report/<name>/ for the
// default store). Checkouts sharing a store share an experiment's folder only when they build the
// same name with the same settings; the last build's copy wins. WT_REPORT_DIR moves them.
const reportsDir = (storeRoot: string) => process.env.WT_REPORT_DIR || join(dirname(storeRoot), 'report');

/** The flags that selected this experiment, as the published report's regenerate commands repeat them. */
function selectionWords(o: Record<string, unknown>): string[] {
  const words = ['--profile', String(o.profile ?? 'default')];
  if (o.config) words.push('--config', String(o.config));
  for (const a of (o.set as string[] | undefined) ?? []) words.push('--set', a);
  if (o.name) words.push('--name', String(o.name));
  return words;
}

function nameSource(o: { profile: string; config?: string | undefined; set: string[]; name?: string | undefined }): string {
  if (o.name !== undefined) return '--name';
  if (o.set.some((a) => a.startsWith('name='))) return '--set name=…';
  return o.config ? `"name" in ${o.config}, or else profile ${o.profile}'s` : `profile ${o.profile}'s name`;
}

/** Runs one command from process.argv; resolves to the exit code. `program` is what --help calls it. */
export function main(program = 'npx tsx pipeline.ts'): Promise<number> {
  return runCli({
    name: program,
    description: 'Reproduce "What is being transferred in transfer learning?" (Neyshabur, Sedghi & Zhang, NeurIPS 2020).',
    root: ROOT,
    defaultTargets: ['figures'],
    options: [
      { flags: '-p, --profile <name>', description: 'tiny | default | paper', defaultValue: 'default' },
      { flags: '-c, --config <file>', description: 'JSON object of profile fields to override' },
      { flags: '-s, --set <key=value>', description: 'override one profile field, e.g. finetune.epochs=5 (repeatable)', repeatable: true },
      {
        flags: '--name <name>',
        description:
          "the experiment's name (default: the profile's name after --config/--set): its lock file and report are locks/<name>.lock.json and artifacts/report/<name>/",
      },
      { flags: '--strict', description: 'fail the build when a scorecard control comes out the wrong way' },
    ],
    // The profiles and the DAG load the stage definitions; --help, gc, verify and cache need none of them.
    createExperiment: async (o) => {
      const [{ loadProfile }, { buildDag }] = await Promise.all([import('../profiles/index.ts'), import('./dag.ts')]);
      const set = [...((o.set as string[] | undefined) ?? []), ...(o.strict ? ['strict=true'] : [])];
      const selection = { profile: o.profile as string, config: o.config as string | undefined, set, name: o.name as string | undefined };
      const profile = loadProfile(selection);
      // --strict is how the build checks its controls, and the description is prose: neither is a setting
      const { strict: _, description: __, ...settings } = profile;
      // a built-in profile used as is is the project's own: editing its file is a new version of it
      const definedByProject = !selection.config && !(o.set as string[] | undefined)?.length && selection.name === undefined;
      return { dag: buildDag(profile), name: profile.name, settings, nameFrom: nameSource(selection), definedByProject };
    },
    afterBuild: (summary, project, o) => {
      const index = publishReport(summary, project, join(reportsDir(project.store.root), project.experiment!.name), selectionWords(o));
      if (index && !o.json && !o.quiet) process.stderr.write(`Report: ${index}\n`);
    },
    lockFilesDir: LOCKS,
    results: headlineResults,
  });
}
export { exitAfterGrace } from '../engine/interrupt.ts';
export { runningPrecompiled } from '../engine/source-import.ts';

// What a folder of many input files costs the lock file and `status`: a one-stage project reading
// N files (default 60,000, the size of a real ImageFolder dataset), built once; then the lock
// file's size and lines, against the version-1 format that listed every file (the baseline, made
// from the same record), and `status` with the file-hash memo warm and cold, against the bare
// stat() of every file (the least any freshness check must do).
//   npx tsx bench/lock-size.ts [--files 60000] [--keep]
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../engine/cli-format.ts';
import { computeStatus } from '../engine/status.ts';
import { buildFolderProject, openFolderProject, writeFolderProject } from '../test/support/folder-input-project.ts';

const { values: args } = parseArgs({ options: { files: { type: 'string', default: '60000' }, keep: { type: 'boolean', default: false } } });
const FILES = Number(args.files);
const ROOT = join(import.meta.dirname, 'out', 'lock-size'); // at the depth the project's stage imports the engine from
const seconds = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

writeFolderProject(ROOT, FILES);
const buildSeconds = await seconds(async () => buildFolderProject(await openFolderProject(ROOT)));
const lockPath = join(ROOT, 'folder.lock.json');
const lock = readFileSync(lockPath, 'utf8');
const v1 = versionOneLock(lock);

const statSeconds = await seconds(() => {
  for (const dir of readdirSync(join(ROOT, 'data')))
    for (const f of readdirSync(join(ROOT, 'data', dir))) statSync(join(ROOT, 'data', dir, f));
});
const warm = await seconds(async () => assertFresh(await computeStatus(await openFolderProject(ROOT), ['all'])));
rmSync(join(ROOT, 'store', 'cache', 'file-hashes.json'), { force: true });
const cold = await seconds(async () => assertFresh(await computeStatus(await openFolderProject(ROOT), ['all'])));

const lines = (s: string) => s.split('\n').length;
console.log(`${FILES} input files in 10 class folders; cold build ${buildSeconds.toFixed(2)} s\n`);
console.log('| measure | this lock file (v2) | baseline | ratio |');
console.log('|---|---|---|---|');
console.log(
  `| lock file size | ${formatBytes(lock.length)} | ${formatBytes(v1.length)} (v1: every file listed) | ${(v1.length / lock.length).toFixed(0)}× smaller |`,
);
console.log(`| lock file lines | ${lines(lock)} | ${lines(v1)} (v1) | ${(lines(v1) / lines(lock)).toFixed(0)}× fewer |`);
console.log(
  `| status, file-hash memo warm | ${warm.toFixed(2)} s | ${statSeconds.toFixed(2)} s (stat every file) | ${(warm / statSeconds).toFixed(1)}× |`,
);
console.log(
  `| status, memo deleted (rehash all) | ${cold.toFixed(2)} s | ${statSeconds.toFixed(2)} s (stat every file) | ${(cold / statSeconds).toFixed(1)}× |`,
);
if (!args.keep) rmSync(ROOT, { recursive: true, force: true });

function assertFresh(list: { state: string }[]): void {
  if (list.length !== 1 || list[0]!.state !== 'fresh') throw new Error(`status: ${JSON.stringify(list)}`);
}

/** The same lock as version 1 wrote it: every input file's digest, from the entry's manifest. */
function versionOneLock(text: string): string {
  const data = JSON.parse(text) as { instances: Record<string, { fingerprint: string; record: { inputs: unknown } }> };
  for (const inst of Object.values(data.instances)) {
    const fp = inst.fingerprint;
    const manifest = JSON.parse(readFileSync(join(ROOT, 'store', 'entries', fp.slice(0, 2), fp, 'manifest.json'), 'utf8')) as {
      record: { inputs: unknown };
    };
    inst.record.inputs = manifest.record.inputs;
  }
  return `${JSON.stringify({ ...data, lockVersion: 1 }, null, 1)}\n`;
}

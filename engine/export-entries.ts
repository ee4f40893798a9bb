// `export <targets…> <dir>`: the current outputs of the named instances, copied out of the store
// (pulled from the remote first when the local store lacks them) into <dir>/<instance id>/, each
// file checked against its manifest's digest while it is copied. <dir>/export.json records what
// came from where. Nothing is built, and nothing is written unless every instance is available.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { walkClosure } from './closure-walk.ts';
import type { DagNode } from './dag.ts';
import type { Fingerprint, OutputDigest } from './digest.ts';
import type { EntrySource, FoundEntry } from './entry-source.ts';
import { UsageError } from './errors.ts';
import type { Project } from './project.ts';

export const EXPORT_MANIFEST = 'export.json';

const Origin = z.union([
  z.object({ from: z.literal('local'), store: z.string() }),
  z.object({ from: z.literal('remote'), remote: z.string(), where: z.string() }),
]);
export const ExportManifest = z.object({
  exportedAt: z.string(),
  experiment: z.string().nullable(),
  entries: z.array(
    z.object({
      instance: z.string(),
      stage: z.string(),
      fingerprint: z.string(),
      origin: Origin,
      /** relative to the export folder */
      folder: z.string(),
      files: z.array(z.object({ path: z.string(), sha256: z.string(), size: z.number().int() })),
    }),
  ),
});
export type ExportManifest = z.infer<typeof ExportManifest>;

export async function exportEntries(
  project: Project,
  source: EntrySource,
  targets: string[],
  dest: string,
  force: boolean,
): Promise<ExportManifest> {
  const wanted = await findCurrentEntries(project, source, targets);
  const missing = [...wanted].filter(([, e]) => typeof e === 'string') as [DagNode, string][];
  if (missing.length)
    throw new UsageError(
      `Nothing exported: ${missing.length} of ${wanted.size} instances are not available: ${missing.map(([n, why]) => `${n.id} (${why})`).join('; ')}. ` +
        `Looked in ${source.searched()}. Build them first (\`build ${missing.map(([n]) => n.id).join(' ')}\`), or configure the remote that has them.`,
    );
  const target = resolve(dest);
  if (existsSync(target) && readdirSync(target).length && !force)
    throw new UsageError(
      `${target} is not empty; export into a new or empty folder, or pass --force to replace what it holds of these instances.`,
    );
  const staging = `${target}.exporting-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const manifest: ExportManifest = { exportedAt: new Date().toISOString(), experiment: project.experiment?.name ?? null, entries: [] };
    for (const [node, entry] of wanted as Map<DagNode, FoundEntry>) manifest.entries.push(await copyEntry(node, entry, staging));
    writeFileSync(join(staging, EXPORT_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    moveInto(staging, target);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The selected instances' entries at their current fingerprints, or why each is unavailable. */
async function findCurrentEntries(project: Project, source: EntrySource, targets: string[]): Promise<Map<DagNode, FoundEntry | string>> {
  const selected = project.dag.select(targets);
  const out = new Map<DagNode, FoundEntry | string>();
  await walkClosure<OutputDigest>(project, targets, async (node, digestOf) => {
    const wanted = selected.includes(node);
    if (!node.upstream().every((u) => digestOf(u))) {
      if (wanted) out.set(node, 'an instance it depends on has not been built');
      return undefined;
    }
    const { fingerprint } = await project.compute(node, (n) => digestOf(n)!);
    if (!wanted) return knownDigest(project, node, fingerprint) ?? (await source.find(fingerprint))?.manifest.outputs.digest;
    const entry = await source.find(fingerprint);
    out.set(node, entry ?? 'not built with the current inputs');
    return entry?.manifest.outputs.digest;
  });
  return out;
}

/** An upstream's output digest without fetching it: from the local store, or from the lock file when it recorded this fingerprint. */
function knownDigest(project: Project, node: DagNode, fp: Fingerprint): OutputDigest | undefined {
  const local = project.store.readManifest(fp)?.outputs.digest;
  if (local) return local;
  const locked = project.lock.get(node.id)?.locked;
  return locked?.fingerprint === fp ? (locked.outputs.digest as OutputDigest) : undefined;
}

/** `finetune/real,P-T,seed=0` → that nested folder; instance ids are already a safe charset, and `.`/`..` segments are refused. */
function instanceFolder(id: string): string {
  const segments = id.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`instance id ${JSON.stringify(id)} cannot name a folder`);
  return segments.join('/');
}

async function copyEntry(node: DagNode, entry: FoundEntry, staging: string): Promise<ExportManifest['entries'][number]> {
  const folder = instanceFolder(node.id);
  const files = entry.manifest.outputs.files;
  for (const f of files) {
    const to = join(staging, folder, f.path);
    mkdirSync(dirname(to), { recursive: true });
    await copyVerified(join(entry.outDir, f.path), to, f, node.id);
  }
  return {
    instance: node.id,
    stage: node.stage.name,
    fingerprint: entry.fingerprint,
    origin: entry.origin,
    folder,
    files: files.map(({ path, sha256, size }) => ({ path, sha256, size })),
  };
}

/** Copies one output, hashing it on the way; a file that is not what its manifest says stops the export. */
async function copyVerified(from: string, to: string, expected: { path: string; sha256: string; size: number }, id: string): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > expected.size) return done(new Error('it is longer than its manifest says'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(from), check, createWriteStream(to, { mode: 0o644 }));
    if (size !== expected.size || hash.digest('hex') !== expected.sha256)
      throw new Error('its bytes are not the ones its manifest records');
  } catch (err) {
    throw new UsageError(
      `Nothing exported: out/${expected.path} of ${id}'s store entry cannot be copied: ${(err as Error).message}. ` +
        'Run `verify` to quarantine the corrupt entry, then build it again.',
    );
  }
}

/** Every top-level item of `staging` replaces the item of that name in `target` (created if need be). */
function moveInto(staging: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(staging)) {
    rmSync(join(target, name), { recursive: true, force: true });
    renameSync(join(staging, name), join(target, name));
  }
}

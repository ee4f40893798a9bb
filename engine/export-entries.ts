// `export <targets…> <dir>`: the current outputs of the named instances, copied out of the store
// (pulled from the remote first when the local store lacks them) into <dir>/<instance id>/, each
// file checked against its manifest while it is copied. <dir>/export.json records what came from
// where. Nothing is built, and nothing is written unless every instance is available. With
// --force, an instance exported before is replaced: the files export.json listed for it are
// removed first; no other file in <dir> is touched.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { findCurrentEntries } from './current-entries.ts';
import type { DagNode } from './dag.ts';
import type { EntrySource, FoundEntry } from './entry-source.ts';
import { UsageError } from './errors.ts';
import { pathInside } from './output-path.ts';
import type { Project } from './project.ts';
import { copyVerified } from './verified-copy.ts';
import { zodIssuesInline } from './zod-errors.ts';

export const EXPORT_MANIFEST = 'export.json';

const Origin = z.union([
  z.object({ from: z.literal('local'), store: z.string() }),
  z.object({ from: z.literal('remote'), remote: z.string(), where: z.string() }),
]);
const ExportedEntry = z.object({
  instance: z.string(),
  stage: z.string(),
  fingerprint: z.string(),
  origin: Origin,
  /** relative to the export folder */
  folder: z.string(),
  files: z.array(z.object({ path: z.string(), sha256: z.string(), size: z.number().int() })),
});
export type ExportedEntry = z.infer<typeof ExportedEntry>;
export const ExportManifest = z.object({ exportedAt: z.string(), experiment: z.string().nullable(), entries: z.array(ExportedEntry) });
export type ExportManifest = z.infer<typeof ExportManifest>;

export async function exportEntries(
  project: Project,
  source: EntrySource,
  targets: string[],
  dest: string,
  force: boolean,
): Promise<{ manifest: ExportManifest; exported: ExportedEntry[] }> {
  const target = checkedTarget(project, dest, force);
  const wanted = await findCurrentEntries(project, source, targets);
  const missing = [...wanted].filter(([, e]) => typeof e === 'string') as [DagNode, string][];
  if (missing.length)
    throw new UsageError(
      `Nothing exported: ${missing.length} of ${wanted.size} instances are not available: ${missing.map(([n, why]) => `${n.id} (${why})`).join('; ')}. ` +
        `Looked in ${source.searched()}. Build them first (\`build ${missing.map(([n]) => n.id).join(' ')}\`), or configure the remote that has them.`,
    );
  const staging = `${target}.exporting-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const entries: ExportedEntry[] = [];
    for (const [node, entry] of wanted as Map<DagNode, FoundEntry>) entries.push(await copyEntry(node, entry, staging));
    const earlier = force ? previousExport(target) : [];
    for (const e of entries)
      placeEntry(
        e,
        earlier.find((o) => o.instance === e.instance),
        staging,
        target,
      );
    const kept = earlier.filter((o) => !entries.some((e) => e.instance === o.instance));
    const manifest = { exportedAt: new Date().toISOString(), experiment: project.experiment?.name ?? null, entries: [...kept, ...entries] };
    writeFileSync(join(target, EXPORT_MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    return { manifest, exported: entries };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The export folder: new or empty (or --force), a folder, and not inside the store. */
function checkedTarget(project: Project, dest: string, force: boolean): string {
  const target = resolve(dest);
  const inStore = relative(project.store.root, target);
  if (inStore === '' || (!inStore.startsWith('..') && !isAbsolute(inStore)))
    throw new UsageError(`${target} is inside the store ${project.store.root}; export into a folder outside it.`);
  if (!existsSync(target)) return target;
  if (!statSync(target).isDirectory())
    throw new UsageError(`${target} is a file, not a folder; name a new or empty folder to export into.`);
  if (readdirSync(target).length && !force)
    throw new UsageError(
      `${target} is not empty; export into a new or empty folder, or pass --force to replace the instances it holds from an earlier export.`,
    );
  return target;
}

/** The entries an earlier export recorded in `target`, or none; an export.json that is not ours stops the export. */
function previousExport(target: string): ExportedEntry[] {
  const path = join(target, EXPORT_MANIFEST);
  if (!existsSync(path)) return [];
  let parsed: ReturnType<typeof ExportManifest.safeParse>;
  try {
    parsed = ExportManifest.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new UsageError(`${path} is not JSON (${(err as Error).message}); move it aside to export into ${target}.`);
  }
  if (!parsed.success)
    throw new UsageError(
      `${path} is not an export.json this tool wrote (${zodIssuesInline(parsed.error)}); move it aside to export into ${target}.`,
    );
  return parsed.data.entries;
}

async function copyEntry(node: DagNode, entry: FoundEntry, staging: string): Promise<ExportedEntry> {
  const folder = node.id;
  const files = entry.manifest.outputs.files;
  for (const f of files) {
    const to = pathInside(staging, join(folder, f.path));
    mkdirSync(dirname(to), { recursive: true });
    try {
      await copyVerified(join(entry.outDir, f.path), to, f);
    } catch (err) {
      throw new UsageError(
        `Nothing exported: out/${f.path} of ${node.id}'s store entry cannot be copied: ${(err as Error).message}. ` +
          'Run `verify` to quarantine the corrupt entry, then build it again.',
      );
    }
  }
  const listed = files.map(({ path, sha256, size }) => ({ path, sha256, size }));
  return { instance: node.id, stage: node.stage.name, fingerprint: entry.fingerprint, origin: entry.origin, folder, files: listed };
}

/** Moves one instance's files from staging into `target`, after removing the files an earlier export of it listed. */
function placeEntry(entry: ExportedEntry, earlier: ExportedEntry | undefined, staging: string, target: string): void {
  for (const f of earlier?.files ?? []) rmSync(pathInside(target, join(earlier!.folder, f.path)), { force: true });
  for (const f of entry.files) {
    const to = pathInside(target, join(entry.folder, f.path));
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(staging, entry.folder, f.path), to);
  }
}

// The entries of the named instances at their current fingerprints, for commands that read
// results without building (export): the fingerprints are computed upstream-first from output
// digests found in the local store, in the lock file (when it recorded that fingerprint), or in
// an entry pulled from the remote. Only the named instances' own entries are fetched when
// their upstreams' digests are known.
import { walkClosure } from './closure-walk.ts';
import type { DagNode } from './dag.ts';
import type { Fingerprint, OutputDigest } from './digest.ts';
import type { EntrySource, FoundEntry } from './entry-source.ts';
import type { Project } from './project.ts';

/** Each selected instance's entry, or why it is unavailable. */
export async function findCurrentEntries(
  project: Project,
  source: EntrySource,
  targets: string[],
): Promise<Map<DagNode, FoundEntry | string>> {
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

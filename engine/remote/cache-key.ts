// `cache-key TARGET`: one digest of everything the target's results depend on, computable on a
// clean machine before anything is built (so CI can restore a store keyed by it). Unlike a
// fingerprint, which uses upstream OUTPUT digests, each instance's key folds in its upstreams'
// keys: params, code, packages, input files and declared env of the whole closure, and nothing
// about the machine (no absolute paths, host names or times).
import { canonicalJson } from '../canonical-json.ts';
import { walkClosure } from '../closure-walk.ts';
import { sha256 } from '../digest.ts';
import type { Project } from '../project.ts';

export async function cacheKey(project: Project, targets: string[]): Promise<string> {
  const keys = await walkClosure<string>(project, targets, async (node, keyOf) => {
    const { record } = await project.computePartial(node, () => undefined);
    const upstream = Object.fromEntries(
      Object.entries(node.deps).map(([name, d]) => [name, d === undefined ? null : Array.isArray(d) ? d.map((n) => keyOf(n)!) : keyOf(d)!]),
    );
    return sha256(canonicalJson({ ...record, upstream }));
  });
  return sha256(
    canonicalJson(
      project.dag
        .select(targets)
        .map((n) => [n.id, keys.get(n)])
        .sort(),
    ),
  );
}

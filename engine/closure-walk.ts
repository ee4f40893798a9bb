// The targets' closure, upstream first, as `status`, `cache push|pull` and `cache-key` read it:
// the code of every stage in it is hashed first, each instance is visited after all its
// upstreams with what they produced (an output digest, a key), and the hash memos are saved at
// the end. The scheduler walks the same order, but concurrently (scheduler.ts).
import type { DagNode } from './dag.ts';
import type { Project } from './project.ts';

/** What each visited instance produced (visits that return undefined produced nothing). */
export async function walkClosure<T>(
  project: Project,
  targets: string[],
  visit: (node: DagNode, producedBy: (upstream: DagNode) => T | undefined) => Promise<T | undefined>,
): Promise<Map<DagNode, T>> {
  const order = project.dag.closure(targets);
  await project.prepareCode(order);
  const produced = new Map<DagNode, T>();
  try {
    for (const node of order) {
      const value = await visit(node, (u) => produced.get(u));
      if (value !== undefined) produced.set(node, value);
    }
  } finally {
    project.saveMemos();
  }
  return produced;
}

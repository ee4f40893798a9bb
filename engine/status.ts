// `status` and `why`: each instance's state without running anything.
//   fresh    its fingerprint, computed from current params/code/inputs/upstream outputs, has an entry
//   stale    the lock file remembers a run, but something it depends on changed (or the entry is gone)
//   missing  never built
import { walkClosure } from './closure-walk.ts';
import type { DagNode } from './dag.ts';
import type { Fingerprint, OutputDigest } from './digest.ts';
import { errorMessage } from './errors.ts';
import { explain, orNotInStore } from './explain.ts';
import type { Project } from './project.ts';
import type { RemoteSession } from './remote/remote-session.ts';
import { fingerprintOf, type InputRecord } from './fingerprint.ts';
import { expectedDurations } from './timings.ts';

export type InstanceState = 'fresh' | 'stale' | 'missing';

export interface InstanceStatus {
  id: string;
  stage: string;
  state: InstanceState;
  fingerprint?: Fingerprint | undefined;
  reasons: string[];
  /** for an instance that is not fresh: seconds its last run took (or its stage's mean), if known */
  lastTookSeconds?: number | undefined;
}

export async function computeStatus(project: Project, targets: string[], remote?: RemoteSession): Promise<InstanceStatus[]> {
  const out: InstanceStatus[] = [];
  const states = new Map<DagNode, InstanceStatus>();
  const lastTook = expectedDurations(project.lock, project.timings);
  await walkClosure<OutputDigest>(project, targets, async (node, digestOf) => {
    const { status, digest, unplanned } = await statusOf(project, node, digestOf, (u) => states.get(u)?.state !== 'fresh', remote);
    if (status.state !== 'fresh' && !unplanned) status.lastTookSeconds = lastTook(node);
    states.set(node, status);
    out.push(status);
    return digest;
  });
  return out;
}

/** One instance's state and, when its entry is here (or on the remote), its output digest. */
async function statusOf(
  project: Project,
  node: DagNode,
  digestOf: (n: DagNode) => OutputDigest | undefined,
  isNotFresh: (n: DagNode) => boolean,
  remote: RemoteSession | undefined,
): Promise<{ status: InstanceStatus; digest?: OutputDigest; unplanned?: true }> {
  const base = { id: node.id, stage: node.stage.name };
  const locked = project.lock.get(node.id);
  let partial: Awaited<ReturnType<typeof project.computePartial>>;
  try {
    partial = await project.computePartial(node, digestOf);
  } catch (err) {
    // e.g. a dataset folder that is not there yet: report it, keep planning the rest
    return { status: { ...base, state: locked ? 'stale' : 'missing', reasons: [errorMessage(err)] }, unplanned: true };
  }
  const why = (staleUpstream: DagNode[]) =>
    explain(node, { record: partial.record, staleUpstream }, locked, project.lockedInputFiles(node.id));
  if (!partial.record.upstream)
    return { status: { ...base, state: locked ? 'stale' : 'missing', reasons: why(node.upstream().filter(isNotFresh)) } };
  const fp = fingerprintOf(partial.record as InputRecord);
  const manifest = project.store.readManifest(fp);
  const remoteManifest = manifest ? undefined : await remote?.lookup(fp);
  const found = manifest ?? remoteManifest;
  if (!found) return { status: { ...base, state: locked ? 'stale' : 'missing', fingerprint: fp, reasons: orNotInStore(why([])) } };
  const reasons = remoteManifest ? [`on remote "${remote!.remote.name}", not pulled yet`] : [];
  return { status: { ...base, state: 'fresh', fingerprint: fp, reasons }, digest: found.outputs.digest };
}

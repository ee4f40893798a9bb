// `status` and `why`: each instance's state without running anything.
//   fresh    its fingerprint, computed from current params/code/inputs/upstream outputs, has an entry
//   stale    the lock file remembers a run, but something it depends on changed (or the entry is gone)
//   missing  never built
import type { DagNode } from './dag.ts';
import type { OutputDigest } from './digest.ts';
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
  fingerprint?: string | undefined;
  reasons: string[];
  /** for an instance that is not fresh: seconds its last run took (or its stage's mean), if known */
  lastTookSeconds?: number | undefined;
}

export async function computeStatus(project: Project, targets: string[], remote?: RemoteSession): Promise<InstanceStatus[]> {
  const order = project.dag.closure(targets);
  await project.prepareCode(order);
  const digests = new Map<DagNode, OutputDigest>();
  const states = new Map<DagNode, InstanceStatus>();
  const out: InstanceStatus[] = [];
  const lastTook = expectedDurations(project.lock, project.timings);
  for (const node of order) {
    let partial: Awaited<ReturnType<typeof project.computePartial>>;
    try {
      partial = await project.computePartial(node, (n) => digests.get(n));
    } catch (err) {
      // e.g. a dataset folder that is not there yet: report it, keep planning the rest
      const status: InstanceStatus = {
        id: node.id,
        stage: node.stage.name,
        state: project.lock.get(node.id) ? 'stale' : 'missing',
        reasons: [errorMessage(err)],
      };
      states.set(node, status);
      out.push(status);
      continue;
    }
    const locked = project.lock.get(node.id);
    const staleUpstream = node.upstream().filter((u) => states.get(u)?.state !== 'fresh');
    let status: InstanceStatus;
    if (partial.record.upstream) {
      const fp = fingerprintOf(partial.record as InputRecord);
      const manifest = project.store.readManifest(fp);
      const remoteManifest = manifest ? undefined : await remote?.lookup(fp);
      if (manifest || remoteManifest) {
        digests.set(node, (manifest ?? remoteManifest)!.outputs.digest as OutputDigest);
        status = {
          id: node.id,
          stage: node.stage.name,
          state: 'fresh',
          fingerprint: fp,
          reasons: remoteManifest ? [`on remote "${remote!.remote.name}", not pulled yet`] : [],
        };
      } else {
        const reasons = explain(node, { record: partial.record, staleUpstream: [] }, locked, project.lockedInputFiles(node.id));
        status = {
          id: node.id,
          stage: node.stage.name,
          state: locked ? 'stale' : 'missing',
          fingerprint: fp,
          reasons: orNotInStore(reasons),
        };
      }
    } else {
      const reasons = explain(node, { record: partial.record, staleUpstream }, locked, project.lockedInputFiles(node.id));
      status = { id: node.id, stage: node.stage.name, state: locked ? 'stale' : 'missing', reasons };
    }
    if (status.state !== 'fresh') status.lastTookSeconds = lastTook(node);
    states.set(node, status);
    out.push(status);
  }
  project.saveMemos();
  return out;
}

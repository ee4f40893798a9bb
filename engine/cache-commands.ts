// `cache push|pull [targets]` and `cache-key [targets]`: moving a target's entries to and from a
// remote cache explicitly (builds with --remote do it automatically and lazily).
import { SingleBar, Presets } from 'cli-progress';
import { walkClosure } from './closure-walk.ts';
import type { DagNode } from './dag.ts';
import type { OutputDigest } from './digest.ts';
import { errorMessage } from './errors.ts';
import type { Project } from './project.ts';
import type { RemoteSession } from './remote/remote-session.ts';
import type { Fingerprint } from './digest.ts';

export interface TransferSummary {
  local: number;
  transferred: number;
  unavailable: string[];
  bytes: number;
}

function progressBar(total: number, quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar(
    { format: '{bar} {value}/{total} entries · {mb} MB · {id}', stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0, { mb: '0.0', id: '' });
  return bar;
}

type Visit = { outcome: 'local' | 'transferred'; digest: OutputDigest } | { outcome: 'unavailable' };

/**
 * Walk the targets' closure upstream-first, computing each instance's fingerprint from its
 * upstreams' output digests (an instance whose upstream is unavailable is unavailable too), and
 * let `visit` move its entry.
 */
async function transferClosure(
  project: Project,
  targets: string[],
  quiet: boolean,
  bytes: () => number,
  visit: (fingerprint: Fingerprint, node: DagNode) => Promise<Visit>,
): Promise<TransferSummary> {
  const out: TransferSummary = { local: 0, transferred: 0, unavailable: [], bytes: 0 };
  const bar = progressBar(project.dag.closure(targets).length, quiet);
  await walkClosure<OutputDigest>(project, targets, async (node, digestOf) => {
    bar?.increment(0, { id: node.id });
    const v: Visit = node.upstream().every((u) => digestOf(u) !== undefined)
      ? await visit((await project.compute(node, (n) => digestOf(n)!)).fingerprint, node)
      : { outcome: 'unavailable' };
    bar?.increment(1, { mb: (bytes() / 1e6).toFixed(1) });
    if (v.outcome === 'unavailable') {
      out.unavailable.push(node.id);
      return undefined;
    }
    out[v.outcome]++;
    return v.digest;
  });
  bar?.stop();
  out.bytes = bytes();
  return out;
}

const digestOf = (project: Project, fingerprint: Fingerprint) => project.store.readManifest(fingerprint)?.outputs.digest;

/** Pull every entry the targets need that the local store lacks (all of them, not lazily). */
export function pullTargets(project: Project, session: RemoteSession, targets: string[], quiet: boolean): Promise<TransferSummary> {
  return transferClosure(
    project,
    targets,
    quiet,
    () => session.stats.bytesDown,
    async (fp) => {
      const local = digestOf(project, fp);
      if (local) return { outcome: 'local', digest: local };
      return (await session.pull(fp)) ? { outcome: 'transferred', digest: digestOf(project, fp)! } : { outcome: 'unavailable' };
    },
  );
}

/** Push every local entry the targets need that the remote lacks; `local` counts them all. */
export async function pushTargets(project: Project, session: RemoteSession, targets: string[], quiet: boolean): Promise<TransferSummary> {
  let pushed = 0;
  const summary = await transferClosure(
    project,
    targets,
    quiet,
    () => session.stats.bytesUp,
    async (fp, node) => {
      const digest = digestOf(project, fp);
      if (!digest) return { outcome: 'unavailable' };
      try {
        if (await session.pushNow(fp)) pushed++;
      } catch (err) {
        throw new Error(`pushing ${node.id} to remote "${session.remote.name}" failed: ${errorMessage(err)}`);
      }
      return { outcome: 'local', digest };
    },
  );
  return { ...summary, transferred: pushed };
}

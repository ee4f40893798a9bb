// `cache push|pull [targets]` and `cache-key [targets]`: moving a target's entries to and from a
// remote cache explicitly (builds with --remote do it automatically and lazily).
import { SingleBar, Presets } from 'cli-progress';
import type { DagNode } from './dag.ts';
import type { OutputDigest } from './digest.ts';
import { errorMessage } from './errors.ts';
import type { Project } from './project.ts';
import type { RemoteSession } from './remote/remote-session.ts';

export interface TransferSummary {
  local: number;
  transferred: number;
  unavailable: string[];
  bytes: number;
}

function progressBar(total: number, quiet: boolean) {
  if (quiet || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar({ format: '{bar} {value}/{total} entries · {mb} MB · {id}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0, { mb: '0.0', id: '' });
  return bar;
}

/** Pull every entry the targets need that the local store lacks (all of them, not lazily). */
export async function pullTargets(project: Project, session: RemoteSession, targets: string[], quiet: boolean): Promise<TransferSummary> {
  const order = project.dag.closure(targets);
  await project.prepareCode(order);
  const digests = new Map<DagNode, OutputDigest>();
  const out: TransferSummary = { local: 0, transferred: 0, unavailable: [], bytes: 0 };
  const bar = progressBar(order.length, quiet);
  for (const node of order) {
    bar?.increment(0, { id: node.id });
    if (node.upstream().some((u) => !digests.has(u))) {
      out.unavailable.push(node.id);
      bar?.increment(1);
      continue;
    }
    const { fingerprint } = await project.compute(node, (n) => digests.get(n)!);
    const local = project.store.readManifest(fingerprint);
    if (local) {
      digests.set(node, local.outputs.digest as OutputDigest);
      out.local++;
    } else if (await session.pull(fingerprint)) {
      digests.set(node, project.store.readManifest(fingerprint)!.outputs.digest as OutputDigest);
      out.transferred++;
    } else out.unavailable.push(node.id);
    bar?.increment(1, { mb: (session.stats.bytesDown / 1e6).toFixed(1) });
  }
  bar?.stop();
  out.bytes = session.stats.bytesDown;
  project.saveMemos();
  return out;
}

/** Push every local entry the targets need that the remote lacks. */
export async function pushTargets(project: Project, session: RemoteSession, targets: string[], quiet: boolean): Promise<TransferSummary> {
  const order = project.dag.closure(targets);
  await project.prepareCode(order);
  const digests = new Map<DagNode, OutputDigest>();
  const out: TransferSummary = { local: 0, transferred: 0, unavailable: [], bytes: 0 };
  const bar = progressBar(order.length, quiet);
  for (const node of order) {
    bar?.increment(0, { id: node.id });
    const fp = node.upstream().every((u) => digests.has(u)) ? (await project.compute(node, (n) => digests.get(n)!)).fingerprint : undefined;
    const m = fp ? project.store.readManifest(fp) : undefined;
    if (!fp || !m) {
      out.unavailable.push(node.id);
    } else {
      digests.set(node, m.outputs.digest as OutputDigest);
      out.local++;
      try {
        if (await session.pushNow(fp)) out.transferred++;
      } catch (err) {
        throw new Error(`pushing ${node.id} to remote "${session.remote.name}" failed: ${errorMessage(err)}`);
      }
    }
    bar?.increment(1, { mb: (session.stats.bytesUp / 1e6).toFixed(1) });
  }
  bar?.stop();
  out.bytes = session.stats.bytesUp;
  project.saveMemos();
  return out;
}

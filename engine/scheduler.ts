// The build loop. Instances are evaluated in dependency order: once every upstream is resolved,
// an instance's fingerprint is computed (from its upstreams' OUTPUT digests) and looked up in the
// store; hits are done at once, misses queue for a slot. A queued instance takes its entry lock
// before running, so a second runner on the same store waits for the first and reuses its result.
import { basename } from 'node:path';
import type { DagNode } from './dag.ts';
import type { OutputDigest } from './digest.ts';
import { tryAcquire } from './entry-lock.ts';
import { runnerFor } from './runner.ts';
import { errorMessage } from './errors.ts';
import type { Executor } from './executor.ts';
import { explain, orNotInStore } from './explain.ts';
import type { Job } from './job.ts';
import type { LockUpdate } from './lock-file.ts';
import { expectedDurations } from './timings.ts';
import { recordFollowingLock } from './experiment-store.ts';
import type { Manifest } from './manifest.ts';
import type { ComputedInstance, Project } from './project.ts';
import type { RemoteSession } from './remote/remote-session.ts';
import type { BuildSummary, InstanceOutcome, Outcome, Reporter } from './reporter.ts';
import type { Resources } from './stage.ts';

const LOCK_POLL_MS = 250;
const LOCK_FILE_FLUSH_MS = 2_000;

export interface BuildOptions {
  targets: string[];
  /** true: rebuild every instance the targets need; a list: rebuild the instances those targets name */
  force?: true | string[] | undefined;
  /** --force-name: the experiment's record in the store takes this build's settings */
  forceName?: boolean | undefined;
  dryRun?: boolean | undefined;
  keepGoing?: boolean | undefined;
  executor: Executor;
  reporter: Reporter;
  /** abort to stop: running stages are asked to checkpoint and stop, nothing new starts */
  signal?: AbortSignal | undefined;
  /** a shared cache: entries it holds are pulled (lazily) instead of built, new ones pushed */
  remote?: RemoteSession | undefined;
}

interface NodeState {
  node: DagNode;
  status: 'pending' | 'queued' | 'running' | Outcome;
  /** upstreams not resolved yet (a set, not a count: an upstream may resolve twice, see rebuildThenRetry) */
  waitingOn: Set<DagNode>;
  /** bumped when the instance must be planned again; a launch started before the bump gives up */
  generation: number;
  computed?: ComputedInstance;
  digest?: OutputDigest;
  reasons?: string[];
  healed?: boolean;
  /** known from the remote's manifest, not yet in the local store */
  remoteOnly?: boolean;
  /** build locally even if the remote has it (its remote copy could not be used) */
  skipRemote?: boolean;
}

export async function build(project: Project, opts: BuildOptions): Promise<BuildSummary> {
  const t0 = performance.now();
  const { store, dag } = project;
  const order = dag.closure(opts.targets);
  const roots = dag.select(opts.targets);
  const forced = new Set<DagNode>(opts.force === true ? order : opts.force ? dag.select(opts.force) : []);
  const { executor, reporter } = opts;
  await project.prepareCode(order);
  for (const dead of store.cleanDeadStaging()) reporter.warn(`removed staging folder ${dead} left by a process that died`);
  if (project.lock.problem)
    reporter.warn(
      `The lock file ${project.lock.path} is unreadable (${project.lock.problem}); it will be rewritten. Nothing in the store is lost.`,
    );

  const states = new Map<DagNode, NodeState>();
  const dependents = new Map<DagNode, DagNode[]>();
  for (const node of order) {
    const ups = [...new Set(node.upstream())];
    states.set(node, { node, status: 'pending', waitingOn: new Set(ups), generation: 0 });
    for (const u of ups) dependents.set(u, [...(dependents.get(u) ?? []), node]);
  }
  const expected = expectedDurations(project.lock, project.timings);
  const priority = criticalPaths(order, dependents, (n) => expected(n) ?? 1);
  const outcomes = new Map<DagNode, InstanceOutcome>();
  const lockUpdates: LockUpdate[] = [];
  let lastFlush = performance.now();
  const queue: NodeState[] = [];
  const inFlight = new Set<Promise<void>>();
  let freeSlots = executor.slots;
  let stopping = false;
  let interrupted = false;
  const onAbort = () => {
    interrupted = stopping = true;
    executor.interrupt(false);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  reporter.start(order.length);
  // One record write for what the lock file predicts; each evaluation below then pins (a write)
  // only a fingerprint the lock file did not know, so a no-op writes the runner record once.
  if (!opts.dryRun) runnerFor(store.root).pin(order.flatMap((n) => project.lock.get(n.id)?.locked.fingerprint ?? []));

  const flushLock = async (final: boolean) => {
    if (opts.dryRun || (lockUpdates.length === 0 && !final)) return;
    const batch = lockUpdates.splice(0);
    try {
      const header = project.experiment && { name: project.experiment.name, settings: project.experiment.settingsDigest };
      await project.lock.write(
        batch,
        new Set(dag.nodes().map((n) => n.id)),
        header,
        recordFollowingLock(project, !!opts.forceName, (m) => reporter.warn(m)),
      );
    } catch (err) {
      reporter.warn(`Could not update the lock file ${project.lock.path}: ${errorMessage(err)}`);
    }
    lastFlush = performance.now();
  };

  const resolve = (st: NodeState, outcome: Outcome, extra: Partial<InstanceOutcome> = {}, manifest?: Manifest) => {
    const previousDigest = st.digest;
    st.status = outcome;
    if (manifest) {
      st.digest = manifest.outputs.digest as OutputDigest;
      lockUpdates.push({
        id: st.node.id,
        stage: st.node.stage.name,
        fingerprint: manifest.fingerprint,
        record: st.computed!.record,
        outputs: manifest.outputs,
      });
      project.timings.record(manifest.fingerprint, st.node.stage.name, manifest.run.wallSeconds);
    }
    const o: InstanceOutcome = {
      id: st.node.id,
      stage: st.node.stage.name,
      outcome,
      fingerprint: st.computed?.fingerprint,
      reasons: st.reasons,
      ...extra,
    };
    outcomes.set(st.node, o);
    reporter.resolved(o);
    for (const d of dependents.get(st.node) ?? []) {
      const ds = states.get(d)!;
      if (ds.status === 'pending') {
        if (ds.waitingOn.delete(st.node) && ds.waitingOn.size === 0) ready.push(ds);
      } else if (previousDigest !== undefined && previousDigest !== st.digest) replan(ds);
    }
  };

  /**
   * A dependent planned from an upstream digest that has since changed (the remote's copy was
   * refused and the local rebuild made other bytes): its fingerprint is stale, so it is evaluated
   * again. A running one is left alone: its worker checks each upstream's digest when it opens it.
   */
  const replan = (ds: NodeState) => {
    if (ds.status === 'running' || ds.status === 'failed' || ds.status === 'skipped' || ds.status === 'interrupted') return;
    const at = queue.indexOf(ds);
    if (at >= 0) queue.splice(at, 1);
    ds.status = 'pending';
    ds.remoteOnly = false;
    ds.generation++;
    if (ds.waitingOn.size === 0 && !ready.includes(ds)) ready.push(ds);
  };

  // Instances whose upstreams are all resolved, waiting to be evaluated.
  const ready: NodeState[] = [...states.values()].filter((s) => s.waitingOn.size === 0);

  const evaluate = async (st: NodeState) => {
    if (st.waitingOn.size > 0) return; // waiting for an upstream to be rebuilt; it is made ready again then
    const ups = st.node.upstream().map((u) => states.get(u)!);
    const blocked = ups.find((u) => u.status === 'failed' || u.status === 'skipped' || u.status === 'interrupted');
    if (blocked)
      return resolve(st, 'skipped', {
        error: `upstream ${blocked.node.id} ${blocked.status === 'skipped' ? 'was skipped' : blocked.status}`,
      });
    const planned = ups.filter((u) => u.status === 'would-run');
    if (planned.length) {
      const names = planned.map((u) => u.node.id);
      st.reasons = [
        `${names.length === 1 ? `upstream ${names[0]} will run` : `${names.length} upstream instances will run (${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''})`}; this reruns unless ${names.length === 1 ? 'its output is' : 'their outputs are'} byte-identical`,
      ];
      return resolve(st, 'would-run');
    }
    try {
      st.computed = await project.compute(st.node, (n) => states.get(n)!.digest!);
    } catch (err) {
      if (opts.dryRun) {
        st.reasons = [`cannot be planned: ${errorMessage(err)}`];
        return resolve(st, 'would-run');
      }
      return resolve(st, 'failed', { error: errorMessage(err) });
    }
    const fp = st.computed.fingerprint;
    if (!opts.dryRun) runnerFor(store.root).pin(fp); // before reading or building it: gc keeps what a live runner pins
    if (!forced.has(st.node)) {
      const manifest = store.readManifest(fp, (m) => reporter.warn(m));
      if (manifest) return resolve(st, 'cached', {}, manifest);
      const remote = !st.skipRemote ? await opts.remote?.lookup(fp) : undefined;
      if (remote) {
        st.remoteOnly = true;
        return resolve(st, 'cached', { fromRemote: true }, remote);
      }
    }
    st.reasons = forced.has(st.node) ? ['forced'] : store.has(fp) ? ['store entry was corrupt'] : explainMiss(project, st);
    if (opts.dryRun) return resolve(st, 'would-run');
    st.status = 'queued';
    queue.push(st);
  };

  const launch = async (st: NodeState, cpus: number) => {
    const fp = st.computed!.fingerprint;
    const generation = st.generation;
    const attempt = tryAcquire(store.lockPath(fp), `build ${st.node.id}`);
    if (!attempt.ok) {
      freeSlots += cpus;
      reporter.waiting(st.node.id, attempt.holder ? `pid ${attempt.holder.pid} on ${attempt.holder.host}` : 'another process');
      await sleep(LOCK_POLL_MS);
      if (st.generation !== generation) return; // planned again meanwhile
      const manifest = !forced.has(st.node) ? store.readManifest(fp) : undefined;
      if (manifest) return resolve(st, 'cached', { builtElsewhere: true }, manifest);
      queue.unshift(st);
      return;
    }
    const lock = attempt.lock;
    try {
      if (!forced.has(st.node)) {
        const manifest = store.readManifest(fp);
        if (manifest) return resolve(st, 'cached', { builtElsewhere: true }, manifest);
      }
      if (!(await materializeUpstream(st))) return;
      if (st.generation !== generation) return; // an upstream changed while it was pulled: planned again
      st.status = 'running';
      reporter.running(st.node.id, expected(st.node));
      const job = makeJob(project, st, forced.has(st.node) && store.has(fp), executor.name, cpus, (n) => states.get(n)!);
      const started = performance.now();
      const result = await executor.run(
        { job, isolation: st.node.stage.isolation ?? 'process', resources: { ...project.resources(st.node), cpus } },
        {
          progress: (u) => reporter.progress(st.node.id, u),
          log: (line) => reporter.log(st.node.id, line),
          started: (pid) => lock.setWorker(pid),
        },
      );
      const seconds = (performance.now() - started) / 1000;
      if (result.ok) {
        const manifest = store.readManifest(fp);
        if (!manifest) return resolve(st, 'failed', { seconds, error: 'the stage reported success but its entry is not in the store' });
        if (result.result !== 'exists') opts.remote?.push(fp);
        return resolve(st, 'built', { seconds, builtElsewhere: result.result === 'exists' }, manifest);
      }
      if (result.corruptEntry && !st.healed && heal(st, basename(result.corruptEntry))) return;
      if (!opts.keepGoing) stopping = true;
      resolve(st, interrupted ? 'interrupted' : 'failed', { seconds, error: result.message, logTail: result.logTail });
    } finally {
      lock.release();
      freeSlots += cpus;
    }
  };

  /** Rebuild some upstreams locally, then retry `st` (it waits for them like for any upstream). */
  const rebuildThenRetry = (st: NodeState, ups: NodeState[], reason: string) => {
    for (const up of ups) {
      if (up.status === 'queued' || up.status === 'running' || up.status === 'pending') continue; // already being rebuilt for another dependent
      up.status = 'queued';
      up.remoteOnly = false;
      up.skipRemote = true;
      up.reasons = [reason];
      queue.push(up);
    }
    st.status = 'pending';
    st.waitingOn = new Set(ups.map((u) => u.node));
  };

  /** An upstream entry turned out corrupt while this stage read it: quarantine it, rebuild it, then retry. */
  const heal = (st: NodeState, fp: string): boolean => {
    const up = st.node
      .upstream()
      .map((u) => states.get(u)!)
      .find((u) => u.computed?.fingerprint === fp);
    if (!up) return false;
    st.healed = true;
    store.quarantine(fp, 'an output did not match its manifest', (m) => reporter.warn(m));
    rebuildThenRetry(st, [up], 'store entry was corrupt');
    return true;
  };

  /** Pull the remote-only entries a stage is about to read; those that cannot be pulled are rebuilt here. */
  const materializeUpstream = async (st: NodeState): Promise<boolean> => {
    const missing: NodeState[] = [];
    for (const up of new Set(st.node.upstream().map((u) => states.get(u)!))) {
      if (up.status === 'failed' || up.status === 'skipped' || up.status === 'interrupted') {
        resolve(st, 'skipped', { error: `upstream ${up.node.id} ${up.status === 'skipped' ? 'was skipped' : up.status}` });
        return false;
      }
      // Being rebuilt because another dependent could not pull it: wait for that build too.
      if (up.status === 'queued' || up.status === 'running' || up.status === 'pending') missing.push(up);
      if (!up.remoteOnly) continue;
      reporter.progress(st.node.id, { message: `pulling ${up.node.id}` });
      if (!(await opts.remote!.pull(up.computed!.fingerprint))) {
        missing.push(up);
        continue;
      }
      up.remoteOnly = false;
      // The store may already have held another build of it (another runner's): plan from that.
      const local = store.readManifest(up.computed!.fingerprint);
      if (local && local.outputs.digest !== up.digest) resolve(up, up.status as Outcome, {}, local);
    }
    if (missing.length === 0) return true;
    rebuildThenRetry(st, missing, 'its remote copy could not be used');
    return false;
  };

  const track = (p: Promise<void>) => {
    const wrapped = p.catch((err) => reporter.warn(`internal error: ${errorMessage(err)}`)).finally(() => inFlight.delete(wrapped));
    inFlight.add(wrapped);
  };

  try {
    for (;;) {
      while (ready.length) await evaluate(ready.shift()!);
      // Longest remaining chain first (pre-training before the runs that do not need it).
      queue.sort((a, b) => priority.get(b.node)! - priority.get(a.node)!);
      while (!stopping && queue.length) {
        const st = queue[0]!;
        const cpus = grantCpus(project.resources(st.node), executor.slots, freeSlots, queue.length);
        if (cpus > freeSlots) break;
        queue.shift();
        freeSlots -= cpus;
        track(launch(st, cpus));
      }
      if (ready.length) continue;
      if (inFlight.size === 0) {
        // What was asked for must end up in the local store (lazily: only the targets themselves).
        const remoteTargets = stopping || opts.dryRun ? [] : roots.map((n) => states.get(n)!).filter((s) => s.remoteOnly);
        if (remoteTargets.length === 0) break;
        for (const t of remoteTargets) {
          if (await opts.remote!.pull(t.computed!.fingerprint)) t.remoteOnly = false;
          else {
            t.remoteOnly = false;
            t.skipRemote = true;
            t.status = 'queued';
            t.reasons = ['its remote copy could not be used'];
            queue.push(t);
          }
        }
        continue;
      }
      await Promise.race(inFlight);
      if (performance.now() - lastFlush > LOCK_FILE_FLUSH_MS) await flushLock(false);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await opts.remote?.flush().catch((err) => reporter.warn(errorMessage(err)));
    await flushLock(true);
    project.saveMemos((m) => reporter.warn(m));
  }

  for (const st of states.values()) {
    if (!outcomes.has(st.node)) {
      outcomes.set(st.node, {
        id: st.node.id,
        stage: st.node.stage.name,
        outcome: 'skipped',
        error: interrupted
          ? 'not started: the build was interrupted'
          : 'not started: the build stopped after a failure (use --keep-going to build what does not depend on it)',
      });
    }
  }
  const list = order.map((n) => outcomes.get(n)!);
  const failed = list.some((o) => o.outcome === 'failed');
  const summary: BuildSummary = {
    exitCode: interrupted ? 130 : failed ? 1 : 0,
    wallSeconds: (performance.now() - t0) / 1000,
    interrupted,
    outcomes: list,
  };
  reporter.finish(summary);
  return summary;
}

function explainMiss(project: Project, st: NodeState): string[] {
  const reasons = explain(
    st.node,
    { record: st.computed!.record, staleUpstream: [] },
    project.lock.get(st.node.id),
    project.lockedInputFiles(st.node.id),
  );
  return orNotInStore(reasons);
}

/**
 * Cores for the next job: what it asks for (at most every slot); an elastic job gets an even
 * share of the free cores among the jobs queued now, at least 1.
 */
export function grantCpus(resources: Resources, slots: number, freeSlots: number, queued: number): number {
  const want = Math.min(Math.max(1, resources.cpus ?? 1), slots);
  if (!resources.elastic) return want;
  return Math.min(want, Math.max(1, Math.floor(freeSlots / Math.max(1, queued))));
}

function makeJob(
  project: Project,
  st: NodeState,
  replace: boolean,
  executor: string,
  cpus: number,
  stateOf: (n: DagNode) => NodeState,
): Job {
  const deps: Job['deps'] = {};
  for (const [name, d] of Object.entries(st.node.deps)) {
    const toDep = (n: DagNode) => {
      const up = stateOf(n);
      return { id: n.id, stage: n.stage.name, fingerprint: up.computed!.fingerprint, outputDigest: up.digest! };
    };
    deps[name] = d === undefined ? null : Array.isArray(d) ? d.map(toDep) : toDep(d);
  }
  return {
    instanceId: st.node.id,
    stageName: st.node.stage.name,
    moduleUrl: st.node.stage.moduleUrl,
    params: st.node.params,
    fingerprint: st.computed!.fingerprint,
    record: st.computed!.record,
    projectRoot: project.root,
    storeRoot: project.store.root,
    deps,
    inputs: st.computed!.inputs,
    cpus,
    replace,
    executor,
  };
}

/**
 * Each instance's critical path: its expected duration plus the longest chain of expected
 * durations below it (recorded durations where known, 1 s otherwise), with the number of
 * instances below it as a tie-break.
 */
function criticalPaths(
  order: readonly DagNode[],
  dependents: Map<DagNode, DagNode[]>,
  duration: (n: DagNode) => number,
): Map<DagNode, number> {
  const out = new Map<DagNode, number>();
  for (const n of [...order].reverse()) {
    const below = dependents.get(n) ?? [];
    out.set(n, duration(n) + Math.max(0, ...below.map((d) => out.get(d) ?? 0)) + below.length * 1e-6);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The build loop. Instances are evaluated in dependency order: once every upstream is resolved,
// an instance's fingerprint is computed (from its upstreams' OUTPUT digests) and looked up in the
// store; hits are done at once, misses queue for a slot. A queued instance takes its entry lock
// before running, so a second runner on the same store waits for the first and reuses its result.
import { basename } from 'node:path';
import type { Dag, DagNode } from './dag.ts';
import type { Store } from './store.ts';
import { asFingerprint, type Fingerprint, type OutputDigest } from './digest.ts';
import { tryAcquire } from './mutex-file.ts';
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
  return new Build(project, opts).run();
}

/**
 * One build: the state of every instance the targets need, the queue of instances waiting for
 * cores, the cores free, and the lock-file updates not yet written.
 */
class Build {
  private readonly t0 = performance.now();
  private readonly store: Store;
  private readonly dag: Dag;
  private readonly order: DagNode[];
  /** the instances the targets name (their entries must end up in the local store) */
  private readonly roots: DagNode[];
  private readonly forced: Set<DagNode>;
  private readonly executor: Executor;
  private readonly reporter: Reporter;
  private readonly states = new Map<DagNode, NodeState>();
  private readonly dependents = new Map<DagNode, DagNode[]>();
  private expected: (node: DagNode) => number | undefined = () => undefined;
  /** the critical path below each instance, for the queue's order */
  private priority = new Map<DagNode, number>();
  private readonly outcomes = new Map<DagNode, InstanceOutcome>();
  private readonly lockUpdates: LockUpdate[] = [];
  private lastFlush = performance.now();
  private readonly queue: NodeState[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private freeSlots: number;
  private stopping = false;
  private interrupted = false;
  /** instances whose upstreams are all resolved, waiting to be evaluated */
  private readonly ready: NodeState[] = [];

  constructor(
    private readonly project: Project,
    private readonly opts: BuildOptions,
  ) {
    this.store = project.store;
    this.dag = project.dag;
    this.order = this.dag.closure(opts.targets);
    this.roots = this.dag.select(opts.targets);
    this.forced = new Set<DagNode>(opts.force === true ? this.order : opts.force ? this.dag.select(opts.force) : []);
    this.executor = opts.executor;
    this.reporter = opts.reporter;
    this.freeSlots = opts.executor.slots;
  }

  async run(): Promise<BuildSummary> {
    await this.prepare();
    await this.loop();
    return this.summarize();
  }

  private async prepare(): Promise<void> {
    const { project, store, order, reporter, opts } = this;
    await project.prepareCode(order);
    for (const dead of store.cleanDeadStaging()) reporter.warn(`removed staging folder ${dead} left by a process that died`);
    if (project.lock.problem)
      reporter.warn(
        `The lock file ${project.lock.path} is unreadable (${project.lock.problem}); it will be rewritten. Nothing in the store is lost.`,
      );
    for (const node of order) {
      const ups = [...new Set(node.upstream())];
      this.states.set(node, { node, status: 'pending', waitingOn: new Set(ups), generation: 0 });
      for (const u of ups) this.dependents.set(u, [...(this.dependents.get(u) ?? []), node]);
    }
    this.expected = expectedDurations(project.lock, project.timings);
    this.priority = criticalPaths(order, this.dependents, (n) => this.expected(n) ?? 1);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    reporter.start(order.length);
    // One record write for what the lock file predicts; each evaluation below then pins (a write)
    // only a fingerprint the lock file did not know, so a no-op writes the runner record once.
    if (!opts.dryRun) runnerFor(store.root).pin(order.flatMap((n) => project.lock.get(n.id)?.locked.fingerprint ?? []));
    this.ready.push(...[...this.states.values()].filter((s) => s.waitingOn.size === 0));
  }

  private readonly onAbort = () => {
    this.interrupted = this.stopping = true;
    this.executor.interrupt(false);
  };

  private async flushLock(final: boolean) {
    if (this.opts.dryRun || (this.lockUpdates.length === 0 && !final)) return;
    const batch = this.lockUpdates.splice(0);
    try {
      const header = this.project.experiment && { name: this.project.experiment.name, settings: this.project.experiment.settingsDigest };
      await this.project.lock.write(
        batch,
        new Set(this.dag.nodes().map((n) => n.id)),
        header,
        recordFollowingLock(this.project, !!this.opts.forceName, (m) => this.reporter.warn(m)),
      );
    } catch (err) {
      this.reporter.warn(`Could not update the lock file ${this.project.lock.path}: ${errorMessage(err)}`);
    }
    this.lastFlush = performance.now();
  }

  private resolve(st: NodeState, outcome: Outcome, extra: Partial<InstanceOutcome> = {}, manifest?: Manifest) {
    const previousDigest = st.digest;
    st.status = outcome;
    if (manifest) {
      st.digest = manifest.outputs.digest;
      this.lockUpdates.push({
        id: st.node.id,
        stage: st.node.stage.name,
        fingerprint: manifest.fingerprint,
        record: st.computed!.record,
        outputs: manifest.outputs,
      });
      this.project.timings.record(manifest.fingerprint, st.node.stage.name, manifest.run.wallSeconds);
    }
    const o: InstanceOutcome = {
      id: st.node.id,
      stage: st.node.stage.name,
      outcome,
      fingerprint: st.computed?.fingerprint,
      reasons: st.reasons,
      ...extra,
    };
    this.outcomes.set(st.node, o);
    this.reporter.resolved(o);
    for (const d of this.dependents.get(st.node) ?? []) {
      const ds = this.states.get(d)!;
      if (ds.status === 'pending') {
        if (ds.waitingOn.delete(st.node) && ds.waitingOn.size === 0) this.ready.push(ds);
      } else if (previousDigest !== undefined && previousDigest !== st.digest) this.replan(ds);
    }
  }

  /**
   * A dependent planned from an upstream digest that has since changed (the remote's copy was
   * refused and the local rebuild made other bytes): its fingerprint is stale, so it is evaluated
   * again. A running one is left alone: its worker checks each upstream's digest when it opens it.
   */
  private replan(ds: NodeState) {
    if (ds.status === 'running' || ds.status === 'failed' || ds.status === 'skipped' || ds.status === 'interrupted') return;
    const at = this.queue.indexOf(ds);
    if (at >= 0) this.queue.splice(at, 1);
    ds.status = 'pending';
    ds.remoteOnly = false;
    ds.generation++;
    if (ds.waitingOn.size === 0 && !this.ready.includes(ds)) this.ready.push(ds);
  }

  private async evaluate(st: NodeState) {
    if (st.waitingOn.size > 0) return; // waiting for an upstream to be rebuilt; it is made ready again then
    const ups = st.node.upstream().map((u) => this.states.get(u)!);
    const blocked = ups.find((u) => u.status === 'failed' || u.status === 'skipped' || u.status === 'interrupted');
    if (blocked)
      return this.resolve(st, 'skipped', {
        error: `upstream ${blocked.node.id} ${blocked.status === 'skipped' ? 'was skipped' : blocked.status}`,
      });
    const planned = ups.filter((u) => u.status === 'would-run');
    if (planned.length) {
      st.reasons = [rerunsAfter(planned.map((u) => u.node.id))];
      return this.resolve(st, 'would-run');
    }
    try {
      st.computed = await this.project.compute(st.node, (n) => this.states.get(n)!.digest!);
    } catch (err) {
      if (this.opts.dryRun) {
        st.reasons = [`cannot be planned: ${errorMessage(err)}`];
        return this.resolve(st, 'would-run');
      }
      return this.resolve(st, 'failed', { error: errorMessage(err) });
    }
    const fp = st.computed.fingerprint;
    if (!this.opts.dryRun) runnerFor(this.store.root).pin(fp); // before reading or building it: gc keeps what a live runner pins
    if (!this.forced.has(st.node)) {
      const manifest = this.store.readManifest(fp, (m) => this.reporter.warn(m));
      if (manifest) return this.resolve(st, 'cached', {}, manifest);
      const remote = !st.skipRemote ? await this.opts.remote?.lookup(fp) : undefined;
      if (remote) {
        st.remoteOnly = true;
        return this.resolve(st, 'cached', { fromRemote: true }, remote);
      }
    }
    st.reasons = this.forced.has(st.node) ? ['forced'] : this.store.has(fp) ? ['store entry was corrupt'] : explainMiss(this.project, st);
    if (this.opts.dryRun) return this.resolve(st, 'would-run');
    st.status = 'queued';
    this.queue.push(st);
  }

  private async launch(st: NodeState, cpus: number) {
    const fp = st.computed!.fingerprint;
    const generation = st.generation;
    const attempt = tryAcquire(this.store.buildLockPath(fp), `build ${st.node.id}`);
    if (!attempt.ok) {
      this.freeSlots += cpus;
      this.reporter.waiting(st.node.id, attempt.holder ? `pid ${attempt.holder.pid} on ${attempt.holder.host}` : 'another process');
      await sleep(LOCK_POLL_MS);
      if (st.generation !== generation) return; // planned again meanwhile
      const manifest = !this.forced.has(st.node) ? this.store.readManifest(fp) : undefined;
      if (manifest) return this.resolve(st, 'cached', { builtElsewhere: true }, manifest);
      this.queue.unshift(st);
      return;
    }
    const lock = attempt.lock;
    try {
      if (!this.forced.has(st.node)) {
        const manifest = this.store.readManifest(fp);
        if (manifest) return this.resolve(st, 'cached', { builtElsewhere: true }, manifest);
      }
      if (!(await this.materializeUpstream(st))) return;
      if (st.generation !== generation) return; // an upstream changed while it was pulled: planned again
      st.status = 'running';
      this.reporter.running(st.node.id, this.expected(st.node));
      const job = makeJob(
        this.project,
        st,
        this.forced.has(st.node) && this.store.has(fp),
        this.executor.name,
        cpus,
        (n) => this.states.get(n)!,
      );
      const started = performance.now();
      const result = await this.executor.run(
        { job, isolation: st.node.stage.isolation ?? 'process', resources: { ...this.project.resources(st.node), cpus } },
        {
          progress: (u) => this.reporter.progress(st.node.id, u),
          log: (line) => this.reporter.log(st.node.id, line),
          started: (pid) => lock.setWorker(pid),
        },
      );
      const seconds = (performance.now() - started) / 1000;
      if (result.ok) {
        const manifest = this.store.readManifest(fp);
        if (!manifest)
          return this.resolve(st, 'failed', { seconds, error: 'the stage reported success but its entry is not in the store' });
        if (result.result !== 'exists') this.opts.remote?.push(fp);
        return this.resolve(st, 'built', { seconds, builtElsewhere: result.result === 'exists' }, manifest);
      }
      const corrupt = result.corruptEntry ? asFingerprint(basename(result.corruptEntry)) : undefined;
      if (corrupt && !st.healed && this.heal(st, corrupt)) return;
      if (!this.opts.keepGoing) this.stopping = true;
      this.resolve(st, this.interrupted ? 'interrupted' : 'failed', { seconds, error: result.message, logTail: result.logTail });
    } finally {
      lock.release();
      this.freeSlots += cpus;
    }
  }

  /** Rebuild some upstreams locally, then retry `st` (it waits for them like for any upstream). */
  private rebuildThenRetry(st: NodeState, ups: NodeState[], reason: string) {
    for (const up of ups) {
      if (up.status === 'queued' || up.status === 'running' || up.status === 'pending') continue; // already being rebuilt for another dependent
      up.status = 'queued';
      up.remoteOnly = false;
      up.skipRemote = true;
      up.reasons = [reason];
      this.queue.push(up);
    }
    st.status = 'pending';
    st.waitingOn = new Set(ups.map((u) => u.node));
  }

  /** An upstream entry turned out corrupt while this stage read it: quarantine it, rebuild it, then retry. */
  private heal(st: NodeState, fp: Fingerprint): boolean {
    const up = st.node
      .upstream()
      .map((u) => this.states.get(u)!)
      .find((u) => u.computed?.fingerprint === fp);
    if (!up) return false;
    st.healed = true;
    this.store.quarantine(fp, 'an output did not match its manifest', (m) => this.reporter.warn(m));
    this.rebuildThenRetry(st, [up], 'store entry was corrupt');
    return true;
  }

  /** Pull the remote-only entries a stage is about to read; those that cannot be pulled are rebuilt here. */
  private async materializeUpstream(st: NodeState): Promise<boolean> {
    const missing: NodeState[] = [];
    for (const up of new Set(st.node.upstream().map((u) => this.states.get(u)!))) {
      if (up.status === 'failed' || up.status === 'skipped' || up.status === 'interrupted') {
        this.resolve(st, 'skipped', { error: `upstream ${up.node.id} ${up.status === 'skipped' ? 'was skipped' : up.status}` });
        return false;
      }
      // Being rebuilt because another dependent could not pull it: wait for that build too.
      if (up.status === 'queued' || up.status === 'running' || up.status === 'pending') missing.push(up);
      if (!up.remoteOnly) continue;
      this.reporter.progress(st.node.id, { message: `pulling ${up.node.id}` });
      if (!(await this.opts.remote!.pull(up.computed!.fingerprint))) {
        missing.push(up);
        continue;
      }
      up.remoteOnly = false;
      // The store may already have held another build of it (another runner's): plan from that.
      const local = this.store.readManifest(up.computed!.fingerprint);
      if (local && local.outputs.digest !== up.digest) this.resolve(up, up.status as Outcome, {}, local);
    }
    if (missing.length === 0) return true;
    this.rebuildThenRetry(st, missing, 'its remote copy could not be used');
    return false;
  }

  private track(p: Promise<void>) {
    const wrapped = p
      .catch((err) => this.reporter.warn(`internal error: ${errorMessage(err)}`))
      .finally(() => this.inFlight.delete(wrapped));
    this.inFlight.add(wrapped);
  }

  /** Evaluate what is ready, start what fits, wait for a job; until nothing is left. */
  private async loop(): Promise<void> {
    try {
      for (;;) {
        while (this.ready.length) await this.evaluate(this.ready.shift()!);
        // Longest remaining chain first (pre-training before the runs that do not need it).
        this.queue.sort((a, b) => this.priority.get(b.node)! - this.priority.get(a.node)!);
        while (!this.stopping && this.queue.length) {
          const st = this.queue[0]!;
          const cpus = grantCpus(this.project.resources(st.node), this.executor.slots, this.freeSlots, this.queue.length);
          if (cpus > this.freeSlots) break;
          this.queue.shift();
          this.freeSlots -= cpus;
          this.track(this.launch(st, cpus));
        }
        if (this.ready.length) continue;
        if (this.inFlight.size === 0) {
          // What was asked for must end up in the local store (lazily: only the targets themselves).
          const remoteTargets =
            this.stopping || this.opts.dryRun ? [] : this.roots.map((n) => this.states.get(n)!).filter((s) => s.remoteOnly);
          if (remoteTargets.length === 0) break;
          for (const t of remoteTargets) {
            if (await this.opts.remote!.pull(t.computed!.fingerprint)) t.remoteOnly = false;
            else {
              t.remoteOnly = false;
              t.skipRemote = true;
              t.status = 'queued';
              t.reasons = ['its remote copy could not be used'];
              this.queue.push(t);
            }
          }
          continue;
        }
        await Promise.race(this.inFlight);
        if (performance.now() - this.lastFlush > LOCK_FILE_FLUSH_MS) await this.flushLock(false);
      }
    } finally {
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      await this.opts.remote?.flush().catch((err) => this.reporter.warn(errorMessage(err)));
      await this.flushLock(true);
      this.project.saveMemos((m) => this.reporter.warn(m));
    }
  }

  /** Every instance's outcome (not started ones as skipped, with why), reported and returned. */
  private summarize(): BuildSummary {
    for (const st of this.states.values()) {
      if (!this.outcomes.has(st.node)) {
        this.outcomes.set(st.node, {
          id: st.node.id,
          stage: st.node.stage.name,
          outcome: 'skipped',
          error: this.interrupted
            ? 'not started: the build was interrupted'
            : 'not started: the build stopped after a failure (use --keep-going to build what does not depend on it)',
        });
      }
    }
    const list = this.order.map((n) => this.outcomes.get(n)!);
    const failed = list.some((o) => o.outcome === 'failed');
    const summary: BuildSummary = {
      exitCode: this.interrupted ? 130 : failed ? 1 : 0,
      wallSeconds: (performance.now() - this.t0) / 1000,
      interrupted: this.interrupted,
      outcomes: list,
    };
    this.reporter.finish(summary);
    return summary;
  }
}

/** A dry run's reason for an instance below ones that will run. */
function rerunsAfter(upstream: readonly string[]): string {
  if (upstream.length === 1) return `upstream ${upstream[0]} will run; this reruns unless its output is byte-identical`;
  const some = `${upstream.slice(0, 2).join(', ')}${upstream.length > 2 ? ', …' : ''}`;
  return `${upstream.length} upstream instances will run (${some}); this reruns unless their outputs are byte-identical`;
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

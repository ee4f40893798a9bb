// One pipeline on one store: the DAG, the store, the lock file and the memoised hashers, plus
// the one operation everything else needs: an instance's input record and fingerprint.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeGraph, type CodeRecord } from './code-graph.ts';
import type { Dag, DagNode } from './dag.ts';
import type { OutputDigest } from './digest.ts';
import { FileHasher } from './file-hasher.ts';
import { envRecord, fingerprintOf, hashInputs, RECORD_FORMAT, type InputRecord, type ResolvedInputSet } from './fingerprint.ts';
import type { Fingerprint } from './digest.ts';
import type { Experiment } from './experiment.ts';
import type { LockedInputFiles } from './explain.ts';
import { LockFile } from './lock-file.ts';
import { PackageVersions } from './package-lock.ts';
import type { Resources } from './stage.ts';
import { Store } from './store.ts';
import { Timings } from './timings.ts';

export interface ProjectOptions {
  dag: Dag;
  /** folder holding package.json; every recorded path is relative to it */
  root: string;
  storeDir: string;
  lockFile: string;
  /** the named experiment the lock file belongs to (none for library use without names) */
  experiment?: Experiment | undefined;
  /** folders whose code never enters a fingerprint (the engine's own folder always is excluded) */
  codeExclude?: string[];
}

export interface ComputedInstance {
  record: InputRecord;
  fingerprint: Fingerprint;
  inputs: Record<string, ResolvedInputSet>;
}

export class Project {
  readonly dag: Dag;
  readonly root: string;
  readonly store: Store;
  readonly lock: LockFile;
  readonly hasher: FileHasher;
  readonly code: CodeGraph;
  readonly timings: Timings;
  readonly experiment: Experiment | undefined;
  private codeRecords = new Map<string, CodeRecord>();

  constructor(opts: ProjectOptions) {
    this.dag = opts.dag.finalize();
    this.root = resolve(opts.root);
    this.store = new Store(resolve(opts.storeDir)).init();
    this.lock = new LockFile(resolve(opts.lockFile));
    this.experiment = opts.experiment;
    this.timings = new Timings(this.store);
    this.hasher = new FileHasher(join(this.store.cacheDir, 'file-hashes.json'));
    this.code = new CodeGraph({
      root: this.root,
      hasher: this.hasher,
      packages: new PackageVersions(join(this.root, 'package-lock.json')),
      exclude: opts.codeExclude ?? [],
      cachePath: join(this.store.cacheDir, 'code-graph.json'),
    });
  }

  /** Derive (or load memoised) code records for every stage module the nodes use. */
  async prepareCode(nodes: readonly DagNode[]): Promise<void> {
    const modules = [...new Set(nodes.map((n) => fileURLToPath(n.stage.moduleUrl)))];
    const records = await this.code.records(modules);
    for (const [m, r] of records) this.codeRecords.set(m, r);
  }

  codeOf(node: DagNode): CodeRecord {
    const rec = this.codeRecords.get(fileURLToPath(node.stage.moduleUrl));
    if (!rec) throw new Error(`internal: code of ${node.id} was not prepared`);
    return rec;
  }

  /** The input record of a node whose upstream output digests are known. */
  async compute(node: DagNode, upstreamDigest: (n: DagNode) => OutputDigest): Promise<ComputedInstance> {
    const partial = await this.computePartial(node, upstreamDigest);
    if (!partial.record.upstream) throw new Error(`internal: upstream of ${node.id} not known`);
    const record = partial.record as InputRecord;
    return { record, fingerprint: fingerprintOf(record), inputs: partial.inputs };
  }

  /** Like compute(), but an upstream whose digest is unknown leaves `upstream` undefined. */
  async computePartial(
    node: DagNode,
    upstreamDigest: (n: DagNode) => OutputDigest | undefined,
  ): Promise<{ record: Omit<InputRecord, 'upstream'> & { upstream?: InputRecord['upstream'] }; inputs: Record<string, ResolvedInputSet> }> {
    let upstream: InputRecord['upstream'] | undefined = {};
    for (const [name, d] of Object.entries(node.deps)) {
      if (d === undefined) {
        upstream[name] = null;
        continue;
      }
      const digests = (Array.isArray(d) ? d : [d]).map(upstreamDigest);
      if (digests.some((x) => x === undefined)) {
        upstream = undefined;
        break;
      }
      upstream[name] = Array.isArray(d) ? (digests as OutputDigest[]) : digests[0]!;
    }
    const declared = node.stage.inputs?.(node.params) ?? {};
    const { record: inputs, resolved } = await hashInputs(node.stage.name, declared, this.root, this.hasher);
    const record = {
      format: RECORD_FORMAT,
      stage: { name: node.stage.name, version: node.stage.version },
      params: node.params,
      code: this.codeOf(node),
      inputs,
      env: envRecord(node.stage.env),
      ...(upstream ? { upstream } : {}),
    };
    return { record, inputs: resolved };
  }

  /** For `why`: the per-file inputs of the run the lock file remembers, read from its manifest. */
  lockedInputFiles(id: string): LockedInputFiles {
    const fp = this.lock.get(id)?.locked.fingerprint;
    return (set) => (fp ? this.store.readManifest(fp)?.record.inputs[set] : undefined);
  }

  resources(node: DagNode): Resources {
    const r = node.stage.resources;
    return (typeof r === 'function' ? r(node.params) : r) ?? {};
  }

  /** Memos only speed things up: failing to save them (a full disk) must not fail a build. */
  saveMemos(onError?: (message: string) => void): void {
    for (const save of [() => this.hasher.save(), () => this.code.save(), () => this.timings.save()]) {
      try {
        save();
      } catch (err) {
        onError?.(`could not save a memo in ${this.store.cacheDir} (${(err as Error).message}); the next run rehashes instead`);
      }
    }
  }
}

/** The folder with package.json at or above `start`. */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(start);
    dir = up;
  }
}

// Build one stage instance and commit it, the same way under every executor:
//   1. a fresh staging folder; the stage writes its outputs into staging/out
//   2. every output hashed (during the write for writeOutput(), right after the run otherwise)
//   3. manifest.json + log.txt written and fsynced into staging
//   4. one rename(2) makes staging the entry; then the scratch folder goes and the seal is taken
// A stage that throws, or a process that dies, leaves no entry and never touches an existing one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { format } from 'node:util';
import { writeFileAtomic } from './atomic-fs.ts';
import { sha256, sha256File, type Sha256 } from './digest.ts';
import { openUpstream } from './entry-reader.ts';
import { makeReadOnly, writeSeal } from './entry-seal.ts';
import { errorMessage, UsageError } from './errors.ts';
import { statSignature } from './file-hasher.ts';
import { gitCommit } from './git-info.ts';
import { HOST } from './host.ts';
import type { Job, JobDep } from './job.ts';
import { outputPathProblem, pathInside } from './output-path.ts';
import { MANIFEST_VERSION, outputDigestOf, type Manifest, type OutputFile } from './manifest.ts';
import { isStageDefinition, type ProgressUpdate, type RunContext, type StageDefinition, type Upstream } from './stage.ts';
import { Store, type CommitResult } from './store.ts';
import { formatZodIssues } from './zod-errors.ts';
import { importSource } from './source-import.ts';
import { entryFiles, LOG_FILE } from './entry-layout.ts';

export interface RunHooks {
  progress?(update: ProgressUpdate): void;
  /** every log line, as it is produced */
  log?(line: string): void;
  signal?: AbortSignal;
}

export interface RunResult {
  result: CommitResult;
  manifest: Manifest;
}

export async function loadStage(moduleUrl: string, stageName: string): Promise<StageDefinition> {
  const mod = await importSource(moduleUrl);
  const found = Object.values(mod).find((v) => isStageDefinition(v) && v.name === stageName);
  if (!found) throw new Error(`Module ${moduleUrl} does not export a stage named "${stageName}" (export the value defineStage() returns).`);
  return found as StageDefinition;
}

/** Log lines collected for the entry's log.txt. */
export class LogBuffer {
  readonly lines: string[] = [];
  constructor(private readonly sink?: (line: string) => void) {}
  write(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      this.lines.push(line);
      this.sink?.(line);
    }
  }
  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}

type WrittenOutputs = Map<string, { sha256: Sha256; size: number; sig: string }>;

export async function runInstance(job: Job, hooks: RunHooks = {}, logBuffer = new LogBuffer(hooks.log)): Promise<RunResult> {
  const store = new Store(job.storeRoot).init();
  const fp = job.fingerprint;
  const startedAt = new Date();
  const t0 = performance.now();
  const staging = store.newStagingDir(fp);
  const scratchDir = store.scratchDir(fp);
  mkdirSync(scratchDir, { recursive: true });
  const written: WrittenOutputs = new Map();
  const metadata: Record<string, unknown> = {};
  try {
    const stage = await loadStage(job.moduleUrl, job.stageName);
    const parsed = stage.params.safeParse(job.params);
    if (!parsed.success) throw new UsageError(`Invalid params for ${job.instanceId}:\n${formatZodIssues(parsed.error, 'params')}`);
    const deps = await openDeps(store, job.deps);
    const ctx = runContext(job, parsed.data, deps, { outDir: entryFiles(staging).out, scratchDir, written, metadata, hooks, logBuffer });
    await stage.run(ctx as never);
    if (hooks.signal?.aborted) throw new Error('interrupted');
    const manifest = await stageManifest(job, staging, written, logBuffer.text(), metadata, { startedAt, t0 });
    const result = store.commit(staging, fp, job.replace);
    rmSync(scratchDir, { recursive: true, force: true });
    if (result !== 'exists') writeSeal(store.entryDir(fp), manifest);
    return { result, manifest: store.readManifest(fp) ?? manifest };
  } catch (caught) {
    const err = explainFsError(caught, job.storeRoot);
    logBuffer.write(`FAILED: ${err instanceof Error && !(err instanceof UsageError) ? (err.stack ?? err.message) : errorMessage(err)}`);
    try {
      mkdirSync(store.failedDir, { recursive: true });
      writeFileSync(join(store.failedDir, `${fp}.log`), logBuffer.text());
    } catch {
      /* a full disk must not hide the original error */
    }
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

interface ContextPlaces {
  outDir: string;
  scratchDir: string;
  /** filled as the stage writes outputs through writeOutput (hashed as they are written) */
  written: WrittenOutputs;
  metadata: Record<string, unknown>;
  hooks: RunHooks;
  logBuffer: LogBuffer;
}

/** What the stage's run() sees: its params and upstreams, and where and how it writes. */
function runContext(job: Job, params: unknown, deps: unknown, p: ContextPlaces): RunContext<unknown, Record<string, never>> {
  const out = (name: string) => {
    const path = pathInside(p.outDir, name);
    mkdirSync(dirname(path), { recursive: true });
    return path;
  };
  const writeOutput = (name: string, data: string | Uint8Array) => {
    const path = out(name);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    writeFileSync(path, bytes);
    p.written.set(relative(p.outDir, path), {
      sha256: sha256(bytes),
      size: bytes.length,
      sig: statSignature(statSync(path, { bigint: true })),
    });
  };
  return {
    instanceId: job.instanceId,
    fingerprint: job.fingerprint,
    cpus: job.cpus,
    params,
    deps: deps as never,
    inputs: job.inputs,
    outDir: p.outDir,
    out,
    writeOutput,
    writeJson: (name, value) => writeOutput(name, `${JSON.stringify(value, null, 1)}\n`),
    scratchDir: p.scratchDir,
    progress: (u) => p.hooks.progress?.(u),
    log: (...args) => p.logBuffer.write(format(...args)),
    signal: p.hooks.signal ?? new AbortController().signal,
    setMetadata: (k, v) => {
      p.metadata[k] = v;
    },
  };
}

/**
 * Hashes the outputs, makes them read-only, writes the log and then the manifest (last, and
 * everything fsynced first: a staging folder with a manifest is a complete entry).
 */
async function stageManifest(
  job: Job,
  staging: string,
  written: WrittenOutputs,
  logText: string,
  metadata: Record<string, unknown>,
  started: { startedAt: Date; t0: number },
): Promise<Manifest> {
  const staged = entryFiles(staging);
  const files = await hashOutputs(staged.out, written);
  makeReadOnly(files.map((f) => join(staged.out, f.path)));
  writeFileSync(staged.log, logText);
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    fingerprint: job.fingerprint,
    instanceId: job.instanceId,
    record: job.record,
    outputs: { digest: outputDigestOf(files), files },
    log: { path: LOG_FILE, sha256: sha256(logText), size: Buffer.byteLength(logText) },
    run: {
      startedAt: started.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      wallSeconds: (performance.now() - started.t0) / 1000,
      host: HOST,
      platform: `${platform()}-${process.arch}`,
      node: process.version,
      cpus: cpus().length,
      pid: process.pid,
      executor: job.executor,
      gitCommit: gitCommit(job.projectRoot),
      tool: projectTool(job.projectRoot),
    },
    metadata,
  };
  for (const f of files) fsyncFile(join(staged.out, f.path));
  fsyncFile(staged.log);
  writeFileAtomic(staged.manifest, `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/** Disk-full and permission errors as advice; everything else unchanged. */
function explainFsError(err: unknown, storeRoot: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') {
    return new Error(
      `The disk holding the store (${storeRoot}) is full${e.path ? ` (writing ${e.path})` : ''}. Nothing was committed and earlier entries are intact. ` +
        `Free space (e.g. \`npx tsx pipeline.ts gc\`) or move the store to a bigger disk with --store, then rerun.`,
    );
  }
  if (e?.code === 'EACCES' || e?.code === 'EROFS') {
    return new Error(
      `Cannot write ${e.path ?? 'to the store'} (${e.code}): the store ${storeRoot} must be writable by this user. Fix its permissions or use another --store.`,
    );
  }
  return err;
}

async function openDeps(store: Store, deps: Job['deps']): Promise<Record<string, Upstream | Upstream[] | undefined>> {
  const out: Record<string, Upstream | Upstream[] | undefined> = {};
  for (const [name, d] of Object.entries(deps)) {
    if (d === null) out[name] = undefined;
    else if (Array.isArray(d)) out[name] = await Promise.all(d.map((x: JobDep) => openUpstream(store, x)));
    else out[name] = await openUpstream(store, d);
  }
  return out;
}

async function hashOutputs(outDir: string, written: Map<string, { sha256: Sha256; size: number; sig: string }>): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  for (const rel of listFiles(outDir)) {
    const problem = outputPathProblem(rel);
    if (problem)
      throw new Error(
        `The stage wrote an output named ${JSON.stringify(rel)}, which a store entry cannot hold: ${problem}. Rename it in the stage.`,
      );
    const p = join(outDir, rel);
    const st = statSync(p, { bigint: true });
    const w = written.get(rel);
    if (w && w.sig === statSignature(st)) files.push({ path: rel, sha256: w.sha256, size: w.size });
    else files.push({ path: rel, sha256: await sha256File(p), size: Number(st.size) });
  }
  return files;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
    else throw new Error(`Output ${rel} is neither a file nor a folder (symlinks are not stored)`);
  }
  return out.sort();
}

function projectTool(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return pkg.name ? `${pkg.name}@${pkg.version ?? '0'}` : undefined;
  } catch {
    return undefined;
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

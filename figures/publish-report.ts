// After a build, copy the report entry to the experiment's report folder (artifacts/report/<name>/)
// and fill in what the stored report cannot contain because it changes every run: which stages
// ran, their wall times, backends and fingerprints. The copy is made beside the folder and swapped
// in, so a failed copy leaves the previous report whole, and no other experiment's folder is touched.
// A build that ran nothing leaves a folder published from the same report entry and flags as it
// is: its run table keeps describing the last build that did something.
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import type { BuildSummary, Project } from '../engine/index.ts';
import { escapeHtml, html, type SafeHtml } from './escape.ts';
import { shellWord } from './shell-word.ts';
import { report } from '../stages/report.ts';
import { RUN_METADATA, SELECTION } from '../stages/report/placeholders.ts';

/** `selection`: the command-line words that select this experiment, repeated in the regenerate commands. */
export function publishReport(summary: BuildSummary, project: Project, dest: string, selection: readonly string[]): string | undefined {
  const entry = summary.outcomes.find((o) => o.stage === report.name && (o.outcome === 'built' || o.outcome === 'cached'));
  if (!entry?.fingerprint) return undefined;
  const stamp: PublishedFrom = { report: entry.fingerprint, selection: [...selection] };
  if (!summary.outcomes.some((o) => o.outcome === 'built') && isPublishedFrom(dest, stamp)) return join(dest, 'index.html');
  const temp = `${dest}.publishing-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(project.store.outDir(entry.fingerprint), temp, { recursive: true });
    const index = join(temp, 'index.html');
    if (!existsSync(index)) return undefined;
    makeWritable(temp); // the store's copy is read-only; the published folder is the user's
    writeFileSync(index, fillPlaceholders(readFileSync(index, 'utf8'), runTable(summary, project), selection));
    writeFileSync(join(temp, PUBLISHED_FROM), JSON.stringify(stamp));
    swapIn(temp, dest);
    return join(dest, 'index.html');
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) makeWritable(path);
    else if (e.isFile()) chmodSync(path, 0o644);
  }
}

// Which report entry and which selection flags a published folder was made from.
const PUBLISHED_FROM = 'published-from.json';
const PublishedFrom = z.object({ report: z.string(), selection: z.array(z.string()) });
type PublishedFrom = z.infer<typeof PublishedFrom>;

function isPublishedFrom(dest: string, stamp: PublishedFrom): boolean {
  try {
    const found = PublishedFrom.safeParse(JSON.parse(readFileSync(join(dest, PUBLISHED_FROM), 'utf8')));
    return found.success && existsSync(join(dest, 'index.html')) && JSON.stringify(found.data) === JSON.stringify(stamp);
  } catch {
    return false;
  }
}

/**
 * Replace `dest` by `temp`: the old folder is moved aside first, so `dest` is never half-written.
 * Another build publishing the same experiment at the same moment may land between the two
 * renames; then its copy is moved aside in turn (the last build's copy wins, never a mix).
 */
function swapIn(temp: string, dest: string): void {
  for (let attempt = 0; ; attempt++) {
    const old = `${dest}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(dest, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      renameSync(temp, dest);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 3) throw err;
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  }
}

/** The published page: the run table, and the selection flags (shell-quoted, then escaped) in every regenerate command. */
export function fillPlaceholders(page: string, runSection: SafeHtml, selection: readonly string[]): string {
  // functions, so that `$&` or `$'` in a host name or a flag is not a replacement pattern
  return page
    .replace(RUN_METADATA, () => runSection.toString())
    .replaceAll(SELECTION, () => escapeHtml(selection.map(shellWord).join(' ')));
}

/** The run section; every value from a manifest (host, backend, times) may come from a remote, so all of it is escaped. */
export function runTable(summary: BuildSummary, project: Pick<Project, 'store'>): SafeHtml {
  let total = 0;
  const backends = new Set<string>();
  const rows = summary.outcomes.map((o) => {
    const m = o.fingerprint ? project.store.readManifest(o.fingerprint) : undefined;
    const secs = Number(m?.run.wallSeconds ?? 0);
    total += secs;
    const backend = describeBackend(m?.metadata.backend);
    if (backend) backends.add(backend);
    return html`<tr><td>${o.id}</td><td>${o.outcome}</td><td>${secs.toFixed(1)}</td><td>${backend}</td><td><code>${(o.fingerprint ?? '').slice(0, 16)}</code></td><td>${m?.run.host}</td><td>${m?.run.finishedAt}</td></tr>`;
  });
  const count = (outcome: string) => summary.outcomes.filter((o) => o.outcome === outcome).length;
  const intro = html`<p>This build: ${count('built')} stages ran, ${count('cached')} came from the store, in ${summary.wallSeconds.toFixed(1)} s of wall time. The stored results took ${total.toFixed(0)} s of stage time when they were made. Tensor backends: ${[...backends].join(', ') || 'none recorded'}.</p>`;
  return html`${intro}<details><summary>Every stage instance: wall time, backend, fingerprint</summary><div class="scroll"><table><thead><tr><th>instance</th><th>this build</th><th>stage seconds</th><th>backend</th><th>fingerprint</th><th>host</th><th>finished</th></tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

interface RecordedBackend {
  name?: string;
  version?: string;
  threads?: number;
  native?: { active: boolean; isa?: string };
}

/** e.g. "wasm 4.22.0 + native kernels (avx512), 2 threads" */
function describeBackend(recorded: unknown): string | undefined {
  const b = recorded as RecordedBackend | undefined;
  if (!b?.name) return undefined;
  const threads = b.threads ?? 1;
  const native = b.native?.active ? ` + native kernels (${b.native.isa ?? '?'})` : '';
  return `${b.name} ${b.version ?? ''}${native}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

// `verify`: re-hash every file of every store entry against its manifest. A corrupt entry is
// moved to quarantine/ (so the next build recomputes it) and reported with the file that failed.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from './digest.ts';
import { writeSeal } from './entry-seal.ts';
import type { Manifest } from './manifest.ts';
import type { Store } from './store.ts';
import { entryFiles, shownOutput } from './entry-layout.ts';

export interface VerifyReport {
  entries: number;
  files: number;
  bytes: number;
  corrupt: { fingerprint: string; instanceId?: string | undefined; problem: string }[];
}

export async function verifyStore(store: Store, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const report: VerifyReport = { entries: 0, files: 0, bytes: 0, corrupt: [] };
  const fps = store.fingerprints();
  let done = 0;
  for (const fp of fps) {
    let manifestProblem: string | undefined;
    const manifest = store.readManifest(fp, (m) => (manifestProblem = m));
    if (!manifest) {
      report.corrupt.push({ fingerprint: fp, problem: manifestProblem ?? 'manifest.json is missing' });
    } else {
      report.entries++;
      const problem = await checkEntry(store.entryDir(fp), manifest, report);
      if (problem) {
        store.quarantine(fp, problem);
        report.corrupt.push({ fingerprint: fp, instanceId: manifest.instanceId, problem });
      } else writeSeal(store.entryDir(fp), manifest);
    }
    onProgress?.(++done, fps.length);
  }
  return report;
}

async function checkEntry(entryDir: string, manifest: Manifest, report: VerifyReport): Promise<string | undefined> {
  const files = [
    ...manifest.outputs.files.map((f) => ({ ...f, abs: join(entryFiles(entryDir).out, f.path), shown: shownOutput(f.path) })),
    { ...manifest.log, abs: join(entryDir, manifest.log.path), shown: manifest.log.path },
  ];
  for (const f of files) {
    let size: number;
    try {
      size = statSync(f.abs).size;
    } catch {
      return `${f.shown} is missing`;
    }
    if (size !== f.size) return `${f.shown} has ${size} bytes, the manifest says ${f.size}`;
    const digest = await sha256File(f.abs);
    report.files++;
    report.bytes += size;
    if (digest !== f.sha256) return `${f.shown} does not match its sha256 (content changed after commit)`;
  }
  return undefined;
}

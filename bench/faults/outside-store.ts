// "Nothing writes outside the store": a fingerprint of everything a trial could reach besides its
// store — the repository checkout (tracked files and non-ignored new files, via git) and the
// trial's sandbox folder minus the store itself — taken before and after each trial.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface OutsideSnapshot {
  repo: string;
  sandbox: Map<string, string>;
}

export function snapshotOutside(repo: string, sandbox: string, excluded: readonly string[]): OutsideSnapshot {
  const status = execFileSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: repo }).toString();
  const dirty = status
    .split('\0')
    .filter(Boolean)
    .map((l) => l.slice(3));
  // Content of every dirty file too, so an overwrite of an already-modified file is caught.
  const h = createHash('sha256').update(status);
  for (const f of dirty) if (existsSync(join(repo, f)) && statSync(join(repo, f)).isFile()) h.update(readFileSync(join(repo, f)));
  return {
    repo: h.digest('hex'),
    sandbox: walk(
      sandbox,
      excluded.map((e) => relative(sandbox, e)),
    ),
  };
}

/** What changed between two snapshots, e.g. ["repo checkout", "canary.txt"]; empty if nothing. */
export function outsideChanges(before: OutsideSnapshot, after: OutsideSnapshot): string[] {
  const out: string[] = [];
  if (before.repo !== after.repo) out.push('repo checkout');
  for (const [p, d] of after.sandbox) if (before.sandbox.get(p) !== d) out.push(p);
  for (const p of before.sandbox.keys()) if (!after.sandbox.has(p)) out.push(`${p} (deleted)`);
  return out;
}

function walk(root: string, excluded: readonly string[], prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(join(root, prefix))) return out;
  for (const e of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (excluded.some((x) => rel === x || rel.startsWith(`${x}/`))) continue;
    if (e.isDirectory()) for (const [k, v] of walk(root, excluded, rel)) out.set(k, v);
    else if (e.isFile())
      out.set(
        rel,
        createHash('sha256')
          .update(readFileSync(join(root, rel)))
          .digest('hex'),
      );
    else out.set(rel, e.isFIFO() ? 'fifo' : 'other');
  }
  return out;
}

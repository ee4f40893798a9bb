// Why an instance is not fresh, in terms a person can act on: which param key, which code file,
// which package, which input file, which environment variable, which upstream output changed
// since the run the lock file remembers.
import { canonicalJson } from './canonical-json.ts';
import type { CodeRecord } from './code-graph.ts';
import type { DagNode } from './dag.ts';
import type { InputRecord } from './fingerprint.ts';
import { inputSetDigest } from './input-set-digest.ts';
import type { LockedInstance } from './lock-file.ts';

const MAX_FILES_LISTED = 5;

/** Current facts about an instance; `upstream` is undefined while some upstream is itself out of date. */
export interface CurrentState {
  record: Omit<InputRecord, 'upstream'> & { upstream?: InputRecord['upstream'] };
  staleUpstream: DagNode[];
}

/** The per-file list of one input set of the locked run (from its manifest), when the store still has it. */
export type LockedInputFiles = (set: string) => Record<string, string> | undefined;

/** What explain() found, or, when the record matches the lock file, why the entry is still not here. */
export function orNotInStore(reasons: string[]): string[] {
  return reasons.length
    ? reasons
    : ['the lock file matches, but the entry is not in this store (garbage-collected, or built on another machine)'];
}

export function explain(
  node: DagNode,
  current: CurrentState,
  locked: { locked: LockedInstance; code: CodeRecord | undefined } | undefined,
  lockedFiles: LockedInputFiles = () => undefined,
): string[] {
  if (!locked) return ['never built (no record in the lock file)'];
  const was = locked.locked.record;
  const now = current.record;
  const out: string[] = [];
  if (was.format !== now.format) out.push(`engine record format ${was.format} → ${now.format}`);
  if (was.stage.version !== now.stage.version) out.push(`stage version ${was.stage.version} → ${now.stage.version}`);
  for (const [path, a, b] of diffValues(was.params, now.params, 'params')) out.push(`param ${path}: ${a} → ${b}`);
  if (locked.code) out.push(...diffCode(locked.code, now.code));
  else if (canonicalJson(was.code) !== canonicalJson(now.code)) out.push('code changed (the lock file lacks the old code record)');
  for (const set of union(Object.keys(was.inputs), Object.keys(now.inputs)))
    out.push(...diffInputSet(set, was.inputs[set], now.inputs[set], lockedFiles));
  for (const name of union(Object.keys(was.env), Object.keys(now.env))) {
    if (was.env[name] !== now.env[name])
      out.push(`env ${name}: ${JSON.stringify(was.env[name] ?? null)} → ${JSON.stringify(now.env[name] ?? null)}`);
  }
  for (const u of current.staleUpstream) out.push(`upstream ${u.id} is out of date`);
  if (now.upstream) {
    for (const name of union(Object.keys(was.upstream), Object.keys(now.upstream))) {
      if (canonicalJson(was.upstream[name] ?? null) !== canonicalJson(now.upstream[name] ?? null)) {
        const deps = node.deps[name];
        const ids = deps === undefined ? '' : ` (${(Array.isArray(deps) ? deps : [deps]).map((d) => d.id).join(', ')})`;
        out.push(`upstream output changed: ${name}${ids}`);
      }
    }
  }
  return out;
}

/** An input set is one digest in the lock; the file-level diff needs the locked run's manifest. */
function diffInputSet(
  set: string,
  was: string | undefined,
  now: Record<string, string> | undefined,
  lockedFiles: LockedInputFiles,
): string[] {
  if (was === undefined) return [`input set ${set} added (${Object.keys(now ?? {}).length} files)`];
  if (now === undefined) return [`input set ${set} removed`];
  if (inputSetDigest(now) === was) return [];
  const before = lockedFiles(set);
  if (before && inputSetDigest(before) === was) return diffFiles(before, now, `input ${set}:`);
  return [
    `input set ${set} changed (now ${Object.keys(now).length} files; the locked run's file list is not in this store, so which file is not known)`,
  ];
}

function diffCode(was: CodeRecord, now: CodeRecord): string[] {
  const out = diffFiles(was.files, now.files, 'code');
  const changed = union(Object.keys(was.packages), Object.keys(now.packages)).filter((p) => was.packages[p] !== now.packages[p]);
  for (const p of changed.slice(0, MAX_FILES_LISTED))
    out.push(`package ${p}: ${was.packages[p] ?? 'absent'} → ${now.packages[p] ?? 'absent'}`);
  if (changed.length > MAX_FILES_LISTED) out.push(`…and ${changed.length - MAX_FILES_LISTED} more packages changed`);
  return out;
}

function diffFiles(was: Record<string, string>, now: Record<string, string>, label: string): string[] {
  const lines: string[] = [];
  for (const f of union(Object.keys(was), Object.keys(now))) {
    if (was[f] === now[f]) continue;
    lines.push(`${label} ${f} ${was[f] === undefined ? 'added' : now[f] === undefined ? 'removed' : 'changed'}`);
  }
  if (lines.length <= MAX_FILES_LISTED) return lines;
  return [...lines.slice(0, MAX_FILES_LISTED), `…and ${lines.length - MAX_FILES_LISTED} more ${label} files`];
}

/** Leaf-level differences between two JSON values: [path, old, new]. */
export function diffValues(a: unknown, b: unknown, path: string): [string, string, string][] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    // own keys only: a key such as "constructor" in one object must not meet Object's in the other
    const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
    return union(Object.keys(a), Object.keys(b)).flatMap((k) => diffValues(own(a, k), own(b, k), `${path}.${k}`));
  }
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return [];
  const show = (v: unknown) => (v === undefined ? '(absent)' : truncate(canonicalJson(v)));
  return [[path.replace(/^params\./, ''), show(a), show(b)]];
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

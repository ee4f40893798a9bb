// Profiles by name, with --config FILE (a JSON object deep-merged over the profile) and
// --set key.path=value overrides, validated as a whole. Errors name the key and say what to do.
import { readFileSync } from 'node:fs';
import { UsageError } from '../engine/errors.ts';
import { checkJsonKeys, ownValue, parseAssignment, setAtPath } from '../engine/key-path.ts';
import { formatZodIssues } from '../engine/zod-errors.ts';
import { suiteDomains } from '../data/suite-domains.ts';
import { WeakShuffleError } from '../data/shuffle/shuffle-strength.ts';
import { planShuffles } from '../experiment/shuffle-plan.ts';
import { suiteImageShape } from '../data/suite-config.ts';
import { ProfileSchema, type Profile, type ProfileInput } from './schema.ts';
import { defaultProfile } from './default.ts';
import { paper } from './paper.ts';
import { tiny } from './tiny.ts';

export const PROFILES: Record<string, ProfileInput> = { tiny, default: defaultProfile, paper };

export interface ProfileOptions {
  profile?: string;
  config?: string;
  set?: string[];
  /** the experiment's name, over the profile's and the config's */
  name?: string | undefined;
}

export function loadProfile(opts: ProfileOptions): Profile {
  const name = opts.profile ?? 'default';
  const base = PROFILES[name];
  if (!base)
    throw new UsageError(
      `Unknown profile "${name}"; choose one of: ${Object.keys(PROFILES).join(', ')} (or start from one and change it with --config / --set).`,
    );
  let merged: unknown = structuredClone(base);
  if (opts.config) merged = deepMerge(merged, readConfigFile(opts.config));
  for (const assignment of opts.set ?? []) merged = applySet(merged, assignment);
  if (opts.name !== undefined) merged = { ...(merged as object), name: opts.name };
  const parsed = ProfileSchema.safeParse(merged);
  if (!parsed.success) {
    throw new UsageError(
      `Profile "${name}"${opts.config ? ` with ${opts.config}` : ''} is invalid:\n${formatZodIssues(parsed.error, 'profile')}`,
    );
  }
  checkConsistency(parsed.data);
  return parsed.data;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the config file ${path}: ${(err as Error).message}.`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('it must be a JSON object of profile fields');
    checkJsonKeys(value, `The config file ${path}`);
    return value;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `The config file ${path} is not valid: ${(err as Error).message}. It must be a JSON object whose fields override the profile's (e.g. {"finetune": {"epochs": 5}}).`,
    );
  }
}

/** `a.b.c=value`: value is JSON when it parses (numbers, arrays, true/false), a string otherwise. */
export function applySet(target: unknown, assignment: string): unknown {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set "${assignment}" must look like key.path=value (e.g. --set finetune.epochs=5).`);
  const { path, value } = parseAssignment(assignment, `--set ${assignment}`);
  const root = (target ?? {}) as Record<string, unknown>;
  setAtPath(root, path, value, true, (key) => `--set ${assignment}: "${key}" is not an object in the profile.`);
  return root;
}

/** Objects merge key by key, except that a different `kind` (e.g. another suite) replaces the object. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (isObject(base) && isObject(over) && !(Object.hasOwn(over, 'kind') && over.kind !== base.kind)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(ownValue(base, k), v);
    return out;
  }
  return over;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every shuffled arm must really shuffle (shuffle-strength.ts); under 'redraw' a weak draw is replaced instead. */
function weakShuffleProblems(p: Profile): string[] {
  if (!p.shuffle.targets.length) return [];
  const side = suiteImageShape(p.suite).height;
  const problems: string[] = [];
  for (const b of p.shuffle.blockSizes) {
    if (b !== '*' && side % b !== 0) continue;
    try {
      planShuffles(p, b);
    } catch (err) {
      if (!(err instanceof WeakShuffleError)) throw err;
      problems.push(err.message);
    }
  }
  return problems;
}

/** Rules that span fields: targets exist in the suite, block sizes divide the side, checkpoints exist. */
function checkConsistency(p: Profile): void {
  const problems: string[] = [];
  const targets = suiteDomains(p.suite)
    .filter((d) => d.role === 'target')
    .map((d) => d.domain);
  const check = (key: string, list: string[]) => {
    for (const t of list)
      if (!targets.includes(t)) problems.push(`${key}: "${t}" is not a target of the suite (targets: ${targets.join(', ')})`);
  };
  if (p.targets) check('targets', p.targets);
  check('shuffle.targets', p.shuffle.targets);
  check('checkpoints.targets', p.checkpoints.targets);
  check('analyses.criticality.targets', p.analyses.criticality.targets ?? []);
  const side = suiteImageShape(p.suite).height;
  for (const b of p.shuffle.blockSizes) {
    if (b !== '*' && side % b !== 0)
      problems.push(`shuffle.blockSizes: ${b} does not divide the image side ${side} (use a divisor of ${side}, or "*")`);
  }
  for (const e of p.checkpoints.epochs ?? []) {
    if (e > p.pretrain.epochs) problems.push(`checkpoints.epochs: ${e} is after the last pre-training epoch (${p.pretrain.epochs})`);
  }
  if (new Set(p.seeds).size !== p.seeds.length) problems.push(`seeds: ${JSON.stringify(p.seeds)} repeats a seed`);
  for (const key of ['shuffle', 'checkpoints'] as const) {
    const n = p[key].replicates;
    if (n > p.seeds.length)
      problems.push(
        `${key}.replicates: ${n} replicates need at least ${n} seeds, but seeds is ${JSON.stringify(p.seeds)} (add seeds or lower ${key}.replicates)`,
      );
  }
  problems.push(...weakShuffleProblems(p));
  if (problems.length) throw new UsageError(`Profile "${p.name}" is inconsistent:\n${problems.map((x) => `  - ${x}`).join('\n')}`);
}

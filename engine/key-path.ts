// `a.b.c=value` assignments (--set, --override) and JSON config objects: a key that reaches an
// object's prototype (`__proto__`, `prototype`, `constructor`) is refused, so that no option or
// file can change Object.prototype; lookups read own properties only.
import { UsageError } from './errors.ts';

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

const forbiddenKeyMessage = (key: string, where: string) =>
  `${where}: the key "${key}" is not allowed (${[...FORBIDDEN].join(', ')} would reach JavaScript's object prototype, not a setting). Remove it or name the setting you meant.`;

/** Splits `a.b.c` and refuses a forbidden key; `where` names the option or file in the error. */
export function parseKeyPath(text: string, where: string): string[] {
  const path = text.split('.');
  for (const key of path) if (FORBIDDEN.has(key)) throw new UsageError(forbiddenKeyMessage(key, where));
  return path;
}

/** Refuses a forbidden key anywhere in a parsed JSON value (JSON.parse makes `__proto__` an own key). */
export function checkJsonKeys(value: unknown, where: string, path = ''): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (FORBIDDEN.has(key)) throw new UsageError(forbiddenKeyMessage(key, `${where}, at ${at}`));
    checkJsonKeys(v, where, at);
  }
}

/** `obj[key]` if obj has it as its own property, else undefined (never an inherited value). */
export function ownValue(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * `key.path=value` as --set and --override take it: the path (forbidden keys refused) and the
 * value, JSON when it parses (numbers, arrays, true/false), a string otherwise.
 */
export function parseAssignment(text: string, where: string): { path: string[]; value: unknown } {
  const eq = text.indexOf('=');
  const path = parseKeyPath(text.slice(0, eq), where);
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  checkJsonKeys(value, where);
  return { path, value };
}

/**
 * Sets `path` in `root` to `value`, in place. A missing object on the way is created when
 * `createMissing`, else it is refused like a non-object: `notAnObject(key)` says what to tell the user.
 */
export function setAtPath(
  root: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  createMissing: boolean,
  notAnObject: (key: string) => string,
): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    let next = ownValue(node, key);
    if (next === undefined && createMissing) next = node[key] = {};
    if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new UsageError(notAnObject(key));
    node = next as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

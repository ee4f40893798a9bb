// JSON with object keys sorted at every level, no whitespace, no undefined members: two equal
// values always give the same bytes, whatever order their keys were written in.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value, []));
}

// A frozen object cannot change, so its sorted copy is made once: a stage's code record is shared
// by every one of its instances, and each instance's fingerprint serialises it.
const sortedFrozen = new WeakMap<object, unknown>();

/**
 * A copy with sorted keys. `at` is the path to `value`, kept as a stack of keys and only joined
 * into text for an error: building a path string per member was most of the cost.
 */
function sortKeys(value: unknown, at: (string | number)[]): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${pathText(at)} is ${value}, which JSON cannot represent`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      const v: unknown = value[i];
      out[i] = sortKeys(v === undefined ? null : v, at);
      at.pop();
    }
    return out;
  }
  if (typeof value === 'object') {
    const frozen = Object.isFrozen(value);
    if (frozen && sortedFrozen.has(value)) return sortedFrozen.get(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      at.push(key);
      out[key] = sortKeys(v, at);
      at.pop();
    }
    if (frozen) sortedFrozen.set(value, out);
    return out;
  }
  throw new TypeError(`canonicalJson: ${pathText(at)} is a ${typeof value}, which JSON cannot represent`);
}

const pathText = (at: readonly (string | number)[]): string => `$${at.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;

// Lock files written before version 2 listed every input file's digest and each run's wall time.
// They are read as version 2: each input set becomes its one digest, the times are dropped (the
// manifests keep them). The next write saves the new format.
import { inputSetDigests } from './input-set-digest.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function migrateLockV1(raw: unknown): unknown {
  if (!isObject(raw) || raw.lockVersion !== 1 || !isObject(raw.instances)) return raw;
  const instances: [string, unknown][] = [];
  for (const [id, value] of Object.entries(raw.instances)) {
    if (!isObject(value) || !isObject(value.record) || !isObject(value.record.inputs)) return raw; // the schema says what is wrong
    const { wallSeconds: _, ...rest } = value;
    const inputs = value.record.inputs as Record<string, Record<string, string>>;
    if (!Object.values(inputs).every(isObject)) return raw;
    instances.push([id, { ...rest, record: { ...value.record, inputs: inputSetDigests(inputs) } }]);
  }
  // fromEntries defines own properties: an id such as "__proto__" cannot reach a prototype
  return { ...raw, lockVersion: 2, instances: Object.fromEntries(instances) };
}

// One digest for a whole folder of inputs, as DVC's `.dir` entries do: sha256 of the canonical
// JSON of the sorted [relative path, content sha256] pairs. The lock file records this one line
// per input set; the per-file list stays in the entry's manifest in the store, where `why` reads
// it back to name the file that changed.
import { canonicalJson } from './canonical-json.ts';
import { sha256, type Sha256 } from './digest.ts';

declare const brand: unique symbol;
export type InputSetDigest = string & { readonly [brand]: 'InputSetDigest' };

export function inputSetDigest(files: Readonly<Record<string, string>>): InputSetDigest {
  const pairs = Object.keys(files)
    .sort()
    .map((path) => [path, files[path] as Sha256]);
  return sha256(canonicalJson(pairs)) as unknown as InputSetDigest;
}

/** Every input set of a record, each as one digest. */
export function inputSetDigests(inputs: Readonly<Record<string, Readonly<Record<string, string>>>>): Record<string, InputSetDigest> {
  return Object.fromEntries(
    Object.keys(inputs)
      .sort()
      .map((set) => [set, inputSetDigest(inputs[set]!)]),
  );
}

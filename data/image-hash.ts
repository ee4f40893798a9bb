// Finding images two datasets share (a leak between source and target, or train and test):
// a fast hash of each image's bytes, then a byte compare of the hash collisions.
/** 32-bit FNV-1a-style hash of an image's bytes (words at a time); used to detect duplicates. */
export function imageHash(bytes: Uint8Array, start = 0, length = bytes.length - start): number {
  let h1 = 0x811c9dc5 ^ length;
  let h2 = 0x01000193;
  const n = start + length;
  let i = start;
  for (; i + 4 <= n; i += 4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 13);
  }
  for (; i < n; i++) h1 = Math.imul(h1 ^ bytes[i]!, 0x01000193);
  h1 ^= h2 >>> 7;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
  return (h1 ^ (h1 >>> 16)) >>> 0;
}

/** Indices of images of `b` whose bytes equal some image of `a` (hash, then byte compare). */
export function findSharedImages(
  a: { images: Uint8Array; count: number },
  b: { images: Uint8Array; count: number },
  imageBytes: number,
): number[] {
  const byHash = new Map<number, number[]>();
  for (let i = 0; i < a.count; i++) {
    const h = imageHash(a.images.subarray(i * imageBytes, (i + 1) * imageBytes));
    const list = byHash.get(h);
    if (list) list.push(i);
    else byHash.set(h, [i]);
  }
  const shared: number[] = [];
  for (let j = 0; j < b.count; j++) {
    const img = b.images.subarray(j * imageBytes, (j + 1) * imageBytes);
    const candidates = byHash.get(imageHash(img));
    if (candidates?.some((i) => bytesEqual(a.images.subarray(i * imageBytes, (i + 1) * imageBytes), img))) shared.push(j);
  }
  return shared;
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

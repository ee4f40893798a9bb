// The IDX format of the original MNIST files: big-endian magic (0x0000 type ndim),
// big-endian uint32 dimensions, then the data.
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdxUint8(buf: Uint8Array, file: string): IdxArray {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 || view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) {
    throw new Error(`${file} is not an IDX file of unsigned bytes (bad magic). Re-install the data package.`);
  }
  const ndim = view.getUint8(3);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + d * 4));
  const offset = 4 + ndim * 4;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== offset + expected) {
    throw new Error(
      `${file} is ${buf.length} bytes but its IDX header (${dims.join('×')}) needs ${offset + expected}: the file is truncated or corrupted. Re-install the data package.`,
    );
  }
  return { dims, data: buf.subarray(offset) };
}

export function encodeIdxUint8(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + dims.length * 4 + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, 0x08);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(4 + i * 4, d));
  out.set(data, 4 + dims.length * 4);
  return out;
}

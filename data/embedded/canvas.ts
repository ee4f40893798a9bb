// Scratch buffers one renderer call draws into: float RGB in [0, 1], row-major HWC.
export interface Canvas {
  size: number;
  /** width of one pixel in image units (the image spans [-1, 1]) */
  px: number;
  rgb: Float32Array;
  noiseA: Float32Array;
  noiseB: Float32Array;
  /** per-pixel signed distance to the object in pixels, and the object part nearest to it */
  objectDistance: Float32Array;
  objectPart: Uint8Array;
}

export function createCanvas(size: number): Canvas {
  return {
    size,
    px: 2 / size,
    rgb: new Float32Array(size * size * 3),
    noiseA: new Float32Array(size * size),
    noiseB: new Float32Array(size * size),
    objectDistance: new Float32Array(size * size),
    objectPart: new Uint8Array(size * size),
  };
}

/** image coordinate of pixel centre i (same for x and y) */
export function coord(i: number, size: number): number {
  return ((i + 0.5) * 2) / size - 1;
}

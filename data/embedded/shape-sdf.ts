// Signed distance functions of the primitives that class shapes are built from.
// Coordinates are the shape's canonical frame (the whole shape fits in radius ~1);
// negative = inside. Parameters live in one flat Float64Array (stride PARAM_STRIDE) for speed.

export enum PrimitiveKind {
  Ellipse = 0,
  Box = 1,
  Capsule = 2,
  Triangle = 3,
  Ring = 4,
}

export const PARAM_STRIDE = 10;

/** A compiled shape: primitives unioned, except `hole` ones which are subtracted from the body. */
export interface CompiledShape {
  count: number;
  kinds: Int32Array;
  holes: Uint8Array;
  params: Float64Array;
  /** per-primitive signed distances of the last `shapeDistance` call */
  distances: Float64Array;
  /** index of the solid primitive nearest/most inside at the last call (for per-part colour) */
  nearestPart: number;
}

export function primitiveDistance(kind: number, p: Float64Array, o: number, x: number, y: number): number {
  switch (kind) {
    case PrimitiveKind.Ellipse: {
      // params: cx, cy, cos, sin, rx, ry, (unused), 1/rx, 1/ry
      const dx = x - p[o]!;
      const dy = y - p[o + 1]!;
      const c = p[o + 2]!;
      const s = p[o + 3]!;
      const irx = p[o + 7]!;
      const iry = p[o + 8]!;
      const lx = (c * dx + s * dy) * irx;
      const ly = (c * dy - s * dx) * iry;
      const k0 = Math.sqrt(lx * lx + ly * ly);
      const ax = lx * irx;
      const ay = ly * iry;
      const k1 = Math.sqrt(ax * ax + ay * ay);
      return k1 > 1e-9 ? (k0 * (k0 - 1)) / k1 : -Math.min(p[o + 4]!, p[o + 5]!);
    }
    case PrimitiveKind.Box: {
      const dx = x - p[o]!;
      const dy = y - p[o + 1]!;
      const c = p[o + 2]!;
      const s = p[o + 3]!;
      const r = p[o + 6]!;
      const qx = Math.abs(c * dx + s * dy) - p[o + 4]! + r;
      const qy = Math.abs(-s * dx + c * dy) - p[o + 5]! + r;
      const ox = Math.max(qx, 0);
      const oy = Math.max(qy, 0);
      return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
    }
    case PrimitiveKind.Capsule: {
      const ax = p[o]!;
      const ay = p[o + 1]!;
      const bax = p[o + 2]! - ax;
      const bay = p[o + 3]! - ay;
      const pax = x - ax;
      const pay = y - ay;
      const len2 = bax * bax + bay * bay;
      let h = len2 > 0 ? (pax * bax + pay * bay) / len2 : 0;
      h = h < 0 ? 0 : Math.min(h, 1);
      const ex = pax - bax * h;
      const ey = pay - bay * h;
      return Math.sqrt(ex * ex + ey * ey) - p[o + 4]!;
    }
    case PrimitiveKind.Triangle: {
      // convex polygon as the max of its edge half-plane distances (exact on edges, mitred corners)
      const d0 = p[o]! * x + p[o + 1]! * y - p[o + 2]!;
      const d1 = p[o + 3]! * x + p[o + 4]! * y - p[o + 5]!;
      const d2 = p[o + 6]! * x + p[o + 7]! * y - p[o + 8]!;
      return Math.max(d0, d1, d2);
    }
    case PrimitiveKind.Ring: {
      const dx = x - p[o]!;
      const dy = y - p[o + 1]!;
      return Math.abs(Math.sqrt(dx * dx + dy * dy) - p[o + 2]!) - p[o + 3]!;
    }
    default:
      throw new Error(`unknown primitive kind ${kind}`);
  }
}

/** Distance to the whole shape; also fills `shape.distances` and `shape.nearestPart`. */
export function shapeDistance(shape: CompiledShape, x: number, y: number): number {
  let solid = Infinity;
  let hole = Infinity;
  let nearest = 0;
  const { kinds, holes, params, distances } = shape;
  for (let i = 0; i < shape.count; i++) {
    const d = primitiveDistance(kinds[i]!, params, i * PARAM_STRIDE, x, y);
    distances[i] = d;
    if (holes[i]) {
      if (d < hole) hole = d;
    } else if (d < solid) {
      solid = d;
      nearest = i;
    }
  }
  shape.nearestPart = nearest;
  return hole === Infinity ? solid : Math.max(solid, -hole);
}

/** Distance only (no bookkeeping): for shadows and coverage tests. */
export function shapeDistanceOnly(shape: CompiledShape, x: number, y: number): number {
  let solid = Infinity;
  let hole = Infinity;
  for (let i = 0; i < shape.count; i++) {
    const d = primitiveDistance(shape.kinds[i]!, shape.params, i * PARAM_STRIDE, x, y);
    if (shape.holes[i]) {
      if (d < hole) hole = d;
    } else if (d < solid) solid = d;
  }
  return hole === Infinity ? solid : Math.max(solid, -hole);
}

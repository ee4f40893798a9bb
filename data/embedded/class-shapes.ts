// A class IS a shape: a body primitive with 1–3 attached parts and sometimes a hole, drawn once
// from the class's own seed. All families (source, target) use the same vocabulary of
// primitives, so features learned on source shapes are reusable for target shapes, while the
// particular compositions (the classes) differ.
import { Rng } from '../random/rng.ts';
import { PARAM_STRIDE, PrimitiveKind, shapeDistanceOnly, type CompiledShape } from './shape-sdf.ts';

export type ShapeFamily = 'source' | 'target';

export interface PartDef {
  kind: PrimitiveKind;
  hole: boolean;
  cx: number;
  cy: number;
  angle: number;
  /** half-size along the part's own x axis (capsule: half-length) */
  sx: number;
  /** half-size along y (capsule: radius; ring: thickness) */
  sy: number;
  /** triangle: three vertex directions (radians) and radii relative to sx */
  tri?: [number, number, number, number, number, number];
}

export interface ClassShape {
  family: ShapeFamily;
  index: number;
  parts: PartDef[];
}

const cache = new Map<string, ClassShape>();

export function classShape(family: ShapeFamily, index: number, worldSeed: number): ClassShape {
  const key = `${family}/${index}/${worldSeed}`;
  let shape = cache.get(key);
  if (!shape) {
    shape = drawClassShape(family, index, worldSeed);
    cache.set(key, shape);
  }
  return shape;
}

function drawClassShape(family: ShapeFamily, index: number, worldSeed: number): ClassShape {
  const rng = Rng.from('class-shape', family, worldSeed, index);
  const parts: PartDef[] = [];
  const bodyKind = rng.pick([PrimitiveKind.Ellipse, PrimitiveKind.Box, PrimitiveKind.Triangle, PrimitiveKind.Ellipse, PrimitiveKind.Box]);
  const body = randomPart(rng, bodyKind, 0, 0, rng.range(0.45, 0.7), rng.range(0.45, 1));
  parts.push(body);
  const attachments = 1 + rng.int(3);
  const baseAngle = rng.range(0, Math.PI * 2);
  for (let i = 0; i < attachments; i++) {
    const phi = baseAngle + (i * Math.PI * 2) / attachments + rng.range(-0.6, 0.6);
    const reach = extentAlong(body, phi);
    const kind = rng.pick([
      PrimitiveKind.Ellipse,
      PrimitiveKind.Box,
      PrimitiveKind.Capsule,
      PrimitiveKind.Capsule,
      PrimitiveKind.Triangle,
      PrimitiveKind.Ring,
    ]);
    const size = rng.range(0.16, 0.38);
    const out = kind === PrimitiveKind.Capsule ? reach + size * 0.6 : reach + size * rng.range(0.1, 0.6);
    const part = randomPart(rng, kind, Math.cos(phi) * out, Math.sin(phi) * out, size, rng.range(0.4, 1));
    if (kind === PrimitiveKind.Capsule || rng.chance(0.5)) part.angle = phi + rng.range(-0.4, 0.4);
    parts.push(part);
  }
  if (rng.chance(0.3)) {
    const hole = randomPart(
      rng,
      rng.pick([PrimitiveKind.Ellipse, PrimitiveKind.Box]),
      body.cx + rng.range(-0.1, 0.1),
      body.cy + rng.range(-0.1, 0.1),
      Math.min(body.sx, body.sy) * rng.range(0.3, 0.5),
      rng.range(0.6, 1),
    );
    hole.hole = true;
    parts.push(hole);
  }
  return { family, index, parts: normalizeToUnitRadius(parts) };
}

function randomPart(rng: Rng, kind: PrimitiveKind, cx: number, cy: number, size: number, aspect: number): PartDef {
  const part: PartDef = { kind, hole: false, cx, cy, angle: rng.range(0, Math.PI * 2), sx: size, sy: size * aspect };
  switch (kind) {
    case PrimitiveKind.Capsule:
      part.sy = size * rng.range(0.25, 0.45);
      break;
    case PrimitiveKind.Ring:
      part.sx = size * 0.8;
      part.sy = size * rng.range(0.12, 0.25);
      break;
    case PrimitiveKind.Triangle: {
      const a0 = rng.range(0, 2 * Math.PI);
      part.tri = [a0, a0 + rng.range(1.6, 2.6), a0 + rng.range(3.7, 4.7), rng.range(0.8, 1.2), rng.range(0.8, 1.2), rng.range(0.8, 1.2)];
      break;
    }
    default:
      break;
  }
  return part;
}

/** Rough distance from the part's centre to its boundary in direction phi. */
function extentAlong(part: PartDef, phi: number): number {
  const rel = phi - part.angle;
  const a = part.sx * Math.cos(rel);
  const b = part.sy * Math.sin(rel);
  return Math.sqrt(a * a + b * b) * (part.kind === PrimitiveKind.Triangle ? 0.7 : 0.95);
}

function normalizeToUnitRadius(parts: PartDef[]): PartDef[] {
  const compiled = compileShape(parts);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const steps = 48;
  for (let j = 0; j < steps; j++) {
    for (let i = 0; i < steps; i++) {
      const x = -2.5 + (5 * (i + 0.5)) / steps;
      const y = -2.5 + (5 * (j + 0.5)) / steps;
      if (shapeDistanceOnly(compiled, x, y) < 0) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const half = Math.max(maxX - minX, maxY - minY) / 2 + 2.5 / steps;
  const k = 1 / half;
  return parts.map((p) => ({ ...p, cx: (p.cx - cx) * k, cy: (p.cy - cy) * k, sx: p.sx * k, sy: p.sy * k }));
}

/** Per-image intra-class deformation: small moves, resizes and turns of every part. */
export function jitterParts(parts: readonly PartDef[], rng: Rng, amount: number): PartDef[] {
  return parts.map((p, i) => {
    const a = i === 0 ? amount * 0.5 : amount;
    return {
      ...p,
      cx: p.cx + rng.normal() * 0.05 * a,
      cy: p.cy + rng.normal() * 0.05 * a,
      angle: p.angle + rng.normal() * 0.15 * a,
      sx: p.sx * Math.exp(rng.normal() * 0.1 * a),
      sy: p.sy * Math.exp(rng.normal() * 0.1 * a),
    };
  });
}

export function compileShape(parts: readonly PartDef[], target?: CompiledShape): CompiledShape {
  const n = parts.length;
  const shape: CompiledShape =
    target && target.kinds.length >= n
      ? target
      : {
          count: n,
          kinds: new Int32Array(n),
          holes: new Uint8Array(n),
          params: new Float64Array(n * PARAM_STRIDE),
          distances: new Float64Array(n),
          nearestPart: 0,
        };
  shape.count = n;
  for (let i = 0; i < n; i++) {
    const part = parts[i]!;
    shape.kinds[i] = part.kind;
    shape.holes[i] = part.hole ? 1 : 0;
    writePartParams(part, shape.params, i * PARAM_STRIDE);
  }
  return shape;
}

/** Writes a part's primitive parameters (the layout `primitiveDistance` reads) at p[o…]. */
export function writePartParams(part: PartDef, p: Float64Array, o: number): void {
  const c = Math.cos(part.angle);
  const s = Math.sin(part.angle);
  switch (part.kind) {
    case PrimitiveKind.Ellipse:
    case PrimitiveKind.Box:
      p[o] = part.cx;
      p[o + 1] = part.cy;
      p[o + 2] = c;
      p[o + 3] = s;
      p[o + 4] = part.sx;
      p[o + 5] = part.sy;
      p[o + 6] = part.kind === PrimitiveKind.Box ? Math.min(part.sx, part.sy) * 0.2 : 0;
      p[o + 7] = 1 / part.sx;
      p[o + 8] = 1 / part.sy;
      return;
    case PrimitiveKind.Capsule:
      p[o] = part.cx - c * part.sx;
      p[o + 1] = part.cy - s * part.sx;
      p[o + 2] = part.cx + c * part.sx;
      p[o + 3] = part.cy + s * part.sx;
      p[o + 4] = part.sy;
      return;
    case PrimitiveKind.Ring:
      p[o] = part.cx;
      p[o + 1] = part.cy;
      p[o + 2] = part.sx;
      p[o + 3] = part.sy;
      return;
    case PrimitiveKind.Triangle: {
      const t = part.tri!;
      const vx = [0, 0, 0];
      const vy = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        const a = t[k]! + part.angle;
        vx[k] = part.cx + Math.cos(a) * part.sx * t[k + 3]!;
        vy[k] = part.cy + Math.sin(a) * part.sx * t[k + 3]!;
      }
      // vertex angles increase, so the vertices run counter-clockwise; outward normals point right of each edge
      for (let k = 0; k < 3; k++) {
        const ax = vx[k]!;
        const ay = vy[k]!;
        const bx = vx[(k + 1) % 3]!;
        const by = vy[(k + 1) % 3]!;
        let nx = by - ay;
        let ny = ax - bx;
        const len = Math.hypot(nx, ny) || 1;
        nx /= len;
        ny /= len;
        p[o + 3 * k] = nx;
        p[o + 3 * k + 1] = ny;
        p[o + 3 * k + 2] = nx * ax + ny * ay;
      }
      return;
    }
    default:
      throw new Error(`unknown primitive kind ${part.kind}`);
  }
}

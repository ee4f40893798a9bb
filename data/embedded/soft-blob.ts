// A single primitive placed directly in image coordinates, with a bounding circle so that
// pixels far from it skip the distance evaluation.
import { writePartParams, type PartDef } from './class-shapes.ts';
import { PARAM_STRIDE, PrimitiveKind, primitiveDistance } from './shape-sdf.ts';

export interface SoftBlob {
  params: Float64Array;
  kind: number;
  cx: number;
  cy: number;
  /** squared radius beyond which the blob is certainly outside (includes the soft margin) */
  cull2: number;
}

/**
 * Per-image blobs come from a pool that is reset for every image: allocating small typed arrays
 * per image made garbage collection a fifth of the generation time.
 */
export class SoftBlobPool {
  private readonly blobs: SoftBlob[] = [];
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  take(part: PartDef, margin: number): SoftBlob {
    if (this.used === this.blobs.length) this.blobs.push({ params: new Float64Array(PARAM_STRIDE), kind: 0, cx: 0, cy: 0, cull2: 0 });
    return fillBlob(this.blobs[this.used++]!, part, margin);
  }
}

export function softBlob(part: PartDef, margin: number): SoftBlob {
  return fillBlob({ params: new Float64Array(PARAM_STRIDE), kind: 0, cx: 0, cy: 0, cull2: 0 }, part, margin);
}

function fillBlob(blob: SoftBlob, part: PartDef, margin: number): SoftBlob {
  writePartParams(part, blob.params, 0);
  let r = Math.max(part.sx, part.sy);
  if (part.kind === PrimitiveKind.Capsule) r = part.sx + part.sy;
  if (part.kind === PrimitiveKind.Ring) r = part.sx + part.sy;
  if (part.kind === PrimitiveKind.Box) r = Math.hypot(part.sx, part.sy);
  if (part.kind === PrimitiveKind.Triangle) r = part.sx * 1.3;
  r += margin;
  blob.kind = part.kind;
  blob.cx = part.cx;
  blob.cy = part.cy;
  blob.cull2 = r * r;
  return blob;
}

/** Signed distance, or `far` when the point is outside the bounding circle. */
export function blobDistance(b: SoftBlob, x: number, y: number, far: number): number {
  const dx = x - b.cx;
  const dy = y - b.cy;
  if (dx * dx + dy * dy > b.cull2) return far;
  return primitiveDistance(b.kind, b.params, 0, x, y);
}

export function ellipsePart(cx: number, cy: number, rx: number, ry: number, angle = 0): PartDef {
  return { kind: PrimitiveKind.Ellipse, hole: false, cx, cy, angle, sx: rx, sy: ry };
}

export function capsulePart(cx: number, cy: number, halfLength: number, radius: number, angle: number): PartDef {
  return { kind: PrimitiveKind.Capsule, hole: false, cx, cy, angle, sx: halfLength, sy: radius };
}

/** An ellipse with a cheap approximate distance (one square root), for blurred anatomy. */
export interface FastEllipse {
  cx: number;
  cy: number;
  c: number;
  s: number;
  irx: number;
  iry: number;
  rmin: number;
}

export function fastEllipse(cx: number, cy: number, rx: number, ry: number, angle = 0): FastEllipse {
  return { cx, cy, c: Math.cos(angle), s: Math.sin(angle), irx: 1 / rx, iry: 1 / ry, rmin: Math.min(rx, ry) };
}

/** (normalised radius − 1) × the smaller radius: exact on the axes of the minor radius, smaller elsewhere. */
export function fastEllipseDistance(e: FastEllipse, x: number, y: number): number {
  const dx = x - e.cx;
  const dy = y - e.cy;
  const lx = (e.c * dx + e.s * dy) * e.irx;
  const ly = (e.c * dy - e.s * dx) * e.iry;
  return (Math.sqrt(lx * lx + ly * ly) - 1) * e.rmin;
}

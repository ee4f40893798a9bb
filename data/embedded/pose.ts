// Where an object sits in the image. Image coordinates span [-1, 1] on both axes (y down);
// the pose maps them into the shape's canonical frame.
import type { Rng } from '../random/rng.ts';

export interface Pose {
  /** inverse linear map image → canonical (row-major 2×2) and the image-space centre */
  m00: number;
  m01: number;
  m10: number;
  m11: number;
  tx: number;
  ty: number;
  /** canonical distance × scale ≈ image distance */
  scale: number;
}

export interface PoseRanges {
  rotation: number; // ± radians
  scale: [number, number];
  shift: number; // ± image units
  aspect: number; // log-aspect ±
}

export function randomPose(rng: Rng, r: PoseRanges): Pose {
  const angle = rng.range(-r.rotation, r.rotation);
  const scale = rng.range(r.scale[0], r.scale[1]);
  const logAspect = rng.range(-r.aspect, r.aspect);
  const sx = scale * Math.exp(logAspect / 2);
  const sy = scale * Math.exp(-logAspect / 2);
  const shift = Math.max(0, r.shift);
  return makePose(angle, sx, sy, rng.range(-shift, shift), rng.range(-shift, shift));
}

export function makePose(angle: number, sx: number, sy: number, tx: number, ty: number): Pose {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  // forward: image = R·diag(sx,sy)·canonical + t ; inverse = diag(1/sx,1/sy)·Rᵀ·(image − t)
  return { m00: c / sx, m01: s / sx, m10: -s / sy, m11: c / sy, tx, ty, scale: Math.sqrt(sx * sy) };
}

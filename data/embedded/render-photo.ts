// "Natural" photo-like rendering, used by the source domain and the `real` target domain:
// textured, shaded object at a random pose on a 1/f-noise background with gradients and
// out-of-focus clutter, a cast shadow, sometimes an occluder in front, colour cast and noise.
import type { Rng } from '../random/rng.ts';
import type { Canvas } from './canvas.ts';
import { coord } from './canvas.ts';
import { jitterParts, compileShape, type ClassShape, type PartDef } from './class-shapes.ts';
import { clamp01, coverage, nearbyColor, randomColor, type Rgb } from './color.ts';
import { randomPose } from './pose.ts';
import { PrimitiveKind, shapeDistance } from './shape-sdf.ts';
import { blobDistance, SoftBlobPool, type SoftBlob } from './soft-blob.ts';
import { fractalNoise } from './value-noise.ts';

const MAX_PARTS = 8;
const FAR = 1e9;
/** class shapes fit radius ~1 in canonical units; beyond this (with jitter and AA margin) coverage is 0 */
const INSIDE_BOUND2 = 1.9;
const objectShape = compileShape(
  new Array<PartDef>(MAX_PARTS).fill({ kind: PrimitiveKind.Ellipse, hole: false, cx: 0, cy: 0, angle: 0, sx: 1, sy: 1 }),
);

interface Blob {
  blob: SoftBlob;
  color: Rgb;
  opacity: number;
  softPx: number;
}

function randomBlobPart(rng: Rng, cx: number, cy: number, size: number): PartDef {
  const kind = rng.pick([PrimitiveKind.Ellipse, PrimitiveKind.Box, PrimitiveKind.Capsule]);
  const part: PartDef = { kind, hole: false, cx, cy, angle: rng.range(0, Math.PI), sx: size, sy: size * rng.range(0.3, 1) };
  if (kind === PrimitiveKind.Capsule) part.sy = size * rng.range(0.12, 0.3);
  return part;
}

const blobs = new SoftBlobPool();

export function renderPhoto(canvas: Canvas, rng: Rng, cls: ClassShape): void {
  blobs.reset();
  const { size, px, rgb } = canvas;
  const noise = canvas.noiseA;
  const texNoise = canvas.noiseB;

  // --- background: two colours blended along a gradient, modulated by 1/f noise
  const bgA = randomColor(rng, [0.05, 0.55], [0.15, 0.9]);
  const bgB = randomColor(rng, [0.05, 0.55], [0.15, 0.9]);
  const gAngle = rng.range(0, Math.PI * 2);
  const gStrength = rng.range(0, 0.6);
  const gx = Math.cos(gAngle) * gStrength;
  const gy = Math.sin(gAngle) * gStrength;
  const noiseMix = rng.range(0.15, 0.6);
  const noiseLight = rng.range(0.05, 0.2);
  fractalNoise(rng, size, noise, 2, 4, rng.range(0.45, 0.7));

  const clutter: Blob[] = [];
  const clutterCount = rng.int(3);
  for (let k = 0; k < clutterCount; k++) {
    if (rng.chance(0.35)) {
      // thin sticks (twigs, wires): line structures natural images are full of
      const softPx = rng.range(0.7, 1.4);
      const part: PartDef = {
        kind: PrimitiveKind.Capsule,
        hole: false,
        cx: rng.range(-1, 1),
        cy: rng.range(-1, 1),
        angle: rng.range(0, Math.PI),
        sx: rng.range(0.25, 0.7),
        sy: rng.range(0.015, 0.04),
      };
      clutter.push({
        blob: blobs.take(part, (softPx + 1) * px),
        color: randomColor(rng, [0.05, 0.6], [0.05, 0.6]),
        opacity: rng.range(0.5, 0.9),
        softPx,
      });
      continue;
    }
    const softPx = rng.range(1.5, 4);
    const blob = blobs.take(randomBlobPart(rng, rng.range(-1, 1), rng.range(-1, 1), rng.range(0.15, 0.5)), (softPx + 1) * px);
    clutter.push({ blob, color: randomColor(rng, [0.05, 0.6], [0.1, 0.9]), opacity: rng.range(0.2, 0.6), softPx });
  }

  // --- object
  const parts = jitterParts(cls.parts, rng, 1);
  const shape = compileShape(parts, objectShape);
  const pose = randomPose(rng, { rotation: 0.5, scale: [0.6, 0.9], shift: 0.18, aspect: 0.25 });
  let base = randomColor(rng, [0.25, 0.95], [0.3, 0.95]);
  for (let tries = 0; tries < 8 && Math.abs(luma(base) - (luma(bgA) + luma(bgB)) / 2) < 0.2; tries++) {
    base = randomColor(rng, [0.25, 0.95], [0.3, 0.95]);
  }
  const partColors: Rgb[] = parts.map(() => (rng.chance(0.2) ? randomColor(rng, [0.2, 0.9], [0.25, 0.95]) : nearbyColor(rng, base, 0.08)));
  const lightAngle = rng.range(0, Math.PI * 2);
  const lx = Math.cos(lightAngle);
  const ly = Math.sin(lightAngle);
  const lightK = rng.range(0.1, 0.35);
  const rimK = rng.range(0.05, 0.3);
  const specK = rng.chance(0.5) ? rng.range(0.1, 0.45) : 0;
  // a dark contour where the object meets the background (strong rim shading / dark edges)
  const contourK = rng.chance(0.3) ? rng.range(0.3, 0.7) : 0;
  const textureKind = rng.int(4); // 0 plain, 1 stripes, 2 mottled, 3 checks
  const texK = rng.range(0.05, 0.15);
  const texFreq = rng.range(4, 12);
  const texAngle = rng.range(0, Math.PI);
  const tca = Math.cos(texAngle) * texFreq;
  const tsa = Math.sin(texAngle) * texFreq;
  if (textureKind === 2) fractalNoise(rng, size, texNoise, 4, 3, 0.6);

  const hasShadow = rng.chance(0.6);
  const shadowDx = rng.range(-0.15, 0.15);
  const shadowDy = rng.range(0.03, 0.18);
  const shadowK = rng.range(0.2, 0.5);
  const shadowSoft = rng.range(1.5, 3.5);

  let occluder: Blob | null = null;
  if (rng.chance(0.25)) {
    const part = randomBlobPart(
      rng,
      pose.tx + rng.range(-0.5, 0.5) * pose.scale,
      pose.ty + rng.range(-0.5, 0.5) * pose.scale,
      rng.range(0.2, 0.45),
    );
    const softPx = rng.range(0.6, 1.5);
    occluder = { blob: blobs.take(part, (softPx + 1) * px), color: randomColor(rng, [0.05, 0.7], [0.1, 0.9]), opacity: 1, softPx };
  }

  // --- global photometric nuisances
  const tint: Rgb = [rng.range(0.85, 1.15), rng.range(0.85, 1.15), rng.range(0.85, 1.15)];
  const contrast = rng.range(0.7, 1.2);
  const brightness = rng.range(-0.1, 0.1);
  const grain = rng.range(0, 0.05);

  const poseScalePx = pose.scale / px;
  // pass 1: the object's distance field (pixels) and nearest part, reused for the cast shadow
  const dist = canvas.objectDistance;
  const partAt = canvas.objectPart;
  for (let y = 0; y < size; y++) {
    const dv = coord(y, size) - pose.ty;
    for (let x = 0; x < size; x++) {
      const du = coord(x, size) - pose.tx;
      const qx = pose.m00 * du + pose.m01 * dv;
      const qy = pose.m10 * du + pose.m11 * dv;
      const i = y * size + x;
      if (qx * qx + qy * qy < INSIDE_BOUND2) {
        dist[i] = shapeDistance(shape, qx, qy) * poseScalePx;
        partAt[i] = shape.nearestPart;
      } else {
        dist[i] = FAR;
        partAt[i] = 0;
      }
    }
  }
  const shadowX = Math.round((shadowDx * pose.scale) / px);
  const shadowY = Math.round((shadowDy * pose.scale) / px);

  for (let y = 0; y < size; y++) {
    const v = coord(y, size);
    for (let x = 0; x < size; x++) {
      const u = coord(x, size);
      const i = y * size + x;
      const n = noise[i]!;
      const t = clamp01(0.5 + gx * u + gy * v + noiseMix * n);
      const light = 1 + noiseLight * n;
      let r = (bgA[0] + (bgB[0] - bgA[0]) * t) * light;
      let g = (bgA[1] + (bgB[1] - bgA[1]) * t) * light;
      let b = (bgA[2] + (bgB[2] - bgA[2]) * t) * light;

      for (let k = 0; k < clutter.length; k++) {
        const c = clutter[k]!;
        const a = coverage(blobDistance(c.blob, u, v, FAR) / px / c.softPx) * c.opacity;
        if (a > 0) {
          r += (c.color[0] * light - r) * a;
          g += (c.color[1] * light - g) * a;
          b += (c.color[2] * light - b) * a;
        }
      }

      if (hasShadow) {
        const sx = x - shadowX;
        const sy = y - shadowY;
        if (sx >= 0 && sy >= 0 && sx < size && sy < size) {
          const a = coverage(dist[sy * size + sx]! / shadowSoft) * shadowK;
          r *= 1 - a;
          g *= 1 - a;
          b *= 1 - a;
        }
      }

      const dPx = dist[i]!;
      if (dPx < FAR) {
        const a = coverage(dPx);
        const d = dPx / poseScalePx;
        if (a > 0) {
          const col = partColors[partAt[i]!]!;
          const lu = (u - pose.tx) / pose.scale;
          const lv = (v - pose.ty) / pose.scale;
          const qx = pose.m00 * (u - pose.tx) + pose.m01 * (v - pose.ty);
          const qy = pose.m10 * (u - pose.tx) + pose.m11 * (v - pose.ty);
          let shade = 1 + lightK * (lx * lu + ly * lv) - rimK * (1 - clamp01(-d / 0.22));
          if (specK > 0) {
            const hx = lu - 0.4 * lx;
            const hy = lv - 0.4 * ly;
            shade += specK * Math.exp(-(hx * hx + hy * hy) * 18);
          }
          if (textureKind === 1) shade += texK * Math.sin(qx * tca + qy * tsa);
          else if (textureKind === 2) shade += texK * 2 * texNoise[i]!;
          else if (textureKind === 3) shade += texK * Math.sin(qx * tca) * Math.sin(qy * tca);
          r += (col[0] * shade - r) * a;
          g += (col[1] * shade - g) * a;
          b += (col[2] * shade - b) * a;
        }
        if (contourK > 0) {
          const c = contourK * coverage(Math.abs(dPx) - 0.6);
          r *= 1 - c;
          g *= 1 - c;
          b *= 1 - c;
        }
      }

      if (occluder) {
        const a = coverage(blobDistance(occluder.blob, u, v, FAR) / px / occluder.softPx);
        if (a > 0) {
          const shade = 1 + 0.25 * n;
          r += (occluder.color[0] * shade - r) * a;
          g += (occluder.color[1] * shade - g) * a;
          b += (occluder.color[2] * shade - b) * a;
        }
      }

      const grainV = grain * (rng.float() + rng.float() - 1);
      const o = i * 3;
      rgb[o] = (r * tint[0] - 0.5) * contrast + 0.5 + brightness + grainV;
      rgb[o + 1] = (g * tint[1] - 0.5) * contrast + 0.5 + brightness + grainV;
      rgb[o + 2] = (b * tint[2] - 0.5) * contrast + 0.5 + brightness + grainV;
    }
  }
}

function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

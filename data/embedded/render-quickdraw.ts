// QuickDraw-like sketches: only the outlines of the class shape's parts, as jittery dark
// strokes of varying width on white, with wobbly hand-drawn displacement and missing strokes.
import type { Rng } from '../random/rng.ts';
import type { Canvas } from './canvas.ts';
import { coord } from './canvas.ts';
import { compileShape, jitterParts, type ClassShape, type PartDef } from './class-shapes.ts';
import { coverage } from './color.ts';
import { randomPose } from './pose.ts';
import { PrimitiveKind, primitiveDistance, PARAM_STRIDE } from './shape-sdf.ts';

const drawn = new Uint8Array(8);
const objectShape = compileShape(
  new Array<PartDef>(8).fill({ kind: PrimitiveKind.Ellipse, hole: false, cx: 0, cy: 0, angle: 0, sx: 1, sy: 1 }),
);

export function renderQuickdraw(canvas: Canvas, rng: Rng, cls: ClassShape): void {
  const { size, px, rgb } = canvas;
  const parts = jitterParts(cls.parts, rng, 2);
  const shape = compileShape(parts, objectShape);
  const pose = randomPose(rng, { rotation: 0.8, scale: [0.5, 0.9], shift: 0.15, aspect: 0.4 });
  for (let k = 0; k < shape.count; k++) drawn[k] = k === 0 || rng.chance(0.8) ? 1 : 0;
  const strokePx = rng.range(0.9, 1.8) * (size / 32);
  const ink = rng.range(0, 0.25);
  // hand wobble: a smooth random displacement of the canonical coordinates
  const wa = rng.range(0.02, 0.07);
  const wf1 = rng.range(2, 5);
  const wf2 = rng.range(2, 5);
  const wp1 = rng.range(0, 6.283);
  const wp2 = rng.range(0, 6.283);
  const gapFreq = rng.range(2, 4);
  const gapPhase = rng.range(0, 6.283);
  const gapLevel = rng.chance(0.35) ? rng.range(0.8, 0.97) : 2;
  const scalePx = pose.scale / px;

  for (let y = 0; y < size; y++) {
    const v = coord(y, size);
    for (let x = 0; x < size; x++) {
      const u = coord(x, size);
      const du = u - pose.tx;
      const dv = v - pose.ty;
      let qx = pose.m00 * du + pose.m01 * dv;
      let qy = pose.m10 * du + pose.m11 * dv;
      let darkness = 0;
      if (qx * qx + qy * qy < 1.9) {
        const wx = wa * Math.sin(qy * wf1 + wp1);
        const wy = wa * Math.sin(qx * wf2 + wp2);
        qx += wx;
        qy += wy;
        if (gapLevel > 1 || Math.sin(Math.atan2(qy, qx) * gapFreq + gapPhase) < gapLevel) {
          for (let k = 0; k < shape.count; k++) {
            if (!drawn[k]) continue;
            const d = Math.abs(primitiveDistance(shape.kinds[k]!, shape.params, k * PARAM_STRIDE, qx, qy)) * scalePx;
            const c = coverage(d - strokePx / 2);
            if (c > darkness) darkness = c;
          }
        }
      }
      const value = 1 - darkness * (1 - ink);
      const o = (y * size + x) * 3;
      rgb[o] = value;
      rgb[o + 1] = value;
      rgb[o + 2] = value;
    }
  }
}

// Clip art: the same class shapes drawn with flat saturated colours, usually dark outlines
// (often including the lines between parts), plain or simple-gradient backgrounds, an
// optional flat drop shadow, cel or smooth vector-art shading. No texture, no sensor noise.
import type { Rng } from '../random/rng.ts';
import type { Canvas } from './canvas.ts';
import { coord } from './canvas.ts';
import { compileShape, jitterParts, type ClassShape, type PartDef } from './class-shapes.ts';
import { coverage, hsv, randomColor, type Rgb } from './color.ts';
import { randomPose } from './pose.ts';
import { PrimitiveKind, shapeDistance, shapeDistanceOnly } from './shape-sdf.ts';
import { blobDistance, SoftBlobPool, type SoftBlob } from './soft-blob.ts';

const objectShape = compileShape(
  new Array<PartDef>(8).fill({ kind: PrimitiveKind.Ellipse, hole: false, cx: 0, cy: 0, angle: 0, sx: 1, sy: 1 }),
);

const blobs = new SoftBlobPool();

export function renderClipart(canvas: Canvas, rng: Rng, cls: ClassShape): void {
  blobs.reset();
  const { size, px, rgb } = canvas;
  const bgKind = rng.float();
  const bg1: Rgb = bgKind < 0.35 ? [1, 1, 1] : hsv(rng.float(), rng.range(0.1, 0.4), rng.range(0.7, 1));
  const bg2: Rgb = bgKind < 0.7 ? bg1 : hsv(rng.float(), rng.range(0.1, 0.5), rng.range(0.5, 1));
  const radial = rng.chance(0.5);
  // outline: none (a third), black, or a dark colour
  const outlineKind = rng.float();
  const outline: Rgb = outlineKind < 0.7 ? [0.05, 0.05, 0.07] : randomColor(rng, [0.4, 0.9], [0.1, 0.35]);
  const outlinePx = outlineKind < 0.33 ? 0 : rng.range(0.6, 1.6) * (size / 32);
  // a patterned background (stripes or dots) in a slightly darker tone
  const pattern = rng.float() < 0.2 ? 1 + rng.int(2) : 0;
  const patFreq = rng.range(10, 22);
  const patAngle = rng.range(0, Math.PI);
  const pca = Math.cos(patAngle) * patFreq;
  const psa = Math.sin(patAngle) * patFreq;
  const stickers: { blob: SoftBlob; color: Rgb }[] = [];
  const stickerCount = rng.chance(0.4) ? 1 + rng.int(2) : 0;
  for (let k = 0; k < stickerCount; k++) {
    const kind = rng.pick([PrimitiveKind.Ellipse, PrimitiveKind.Box, PrimitiveKind.Triangle]);
    const part: PartDef = {
      kind,
      hole: false,
      cx: rng.range(-0.85, 0.85),
      cy: rng.range(-0.85, 0.85),
      angle: rng.range(0, 6.283),
      sx: rng.range(0.08, 0.2),
      sy: rng.range(0.08, 0.2),
    };
    if (kind === PrimitiveKind.Triangle) part.tri = [0, 2.1, 4.2, 1, 1, 1];
    stickers.push({ blob: blobs.take(part, 3 * px), color: hsv(rng.float(), rng.range(0.4, 0.9), rng.range(0.6, 1)) });
  }

  const parts = jitterParts(cls.parts, rng, 1.2);
  const shape = compileShape(parts, objectShape);
  const pose = randomPose(rng, { rotation: 0.8, scale: [0.45, 0.9], shift: 0.22, aspect: 0.3 });
  const hue = rng.float();
  const palette: Rgb[] = parts.map((_, k) =>
    k === 0 || rng.chance(0.4)
      ? hsv(hue + rng.range(-0.05, 0.05), rng.range(0.55, 1), rng.range(0.6, 1))
      : hsv(rng.float(), rng.range(0.5, 1), rng.range(0.55, 1)),
  );
  const innerLines = rng.chance(0.6);
  // shading: flat, two-tone cel shading, or a smooth vector-art gradient
  const shading = rng.int(3);
  const gradK = rng.range(0.15, 0.35);
  const celAngle = rng.range(0, Math.PI * 2);
  const cx = Math.cos(celAngle);
  const cy = Math.sin(celAngle);
  const shadow = rng.chance(0.35);
  const sdx = rng.range(0.03, 0.08);
  const sdy = rng.range(0.03, 0.08);
  const scalePx = pose.scale / px;

  for (let y = 0; y < size; y++) {
    const v = coord(y, size);
    for (let x = 0; x < size; x++) {
      const u = coord(x, size);
      const t = radial ? Math.min(1, Math.sqrt(u * u + v * v) / 1.4) : (v + 1) / 2;
      let r = bg1[0] + (bg2[0] - bg1[0]) * t;
      let g = bg1[1] + (bg2[1] - bg1[1]) * t;
      let b = bg1[2] + (bg2[2] - bg1[2]) * t;
      if (pattern !== 0) {
        const w = pattern === 1 ? Math.sin(u * pca + v * psa) : Math.sin(u * patFreq) * Math.sin(v * patFreq);
        if (w > 0.3) {
          r *= 0.9;
          g *= 0.9;
          b *= 0.9;
        }
      }
      for (let k = 0; k < stickers.length; k++) {
        const st = stickers[k]!;
        const d = blobDistance(st.blob, u, v, 1e9) / px;
        const fill = coverage(d);
        if (fill > 0) {
          r += (st.color[0] - r) * fill;
          g += (st.color[1] - g) * fill;
          b += (st.color[2] - b) * fill;
        }
        const line = outlinePx > 0 ? coverage(Math.abs(d) - outlinePx / 2) : 0;
        if (line > 0) {
          r += (outline[0] - r) * line;
          g += (outline[1] - g) * line;
          b += (outline[2] - b) * line;
        }
      }

      if (shadow) {
        const su = u - sdx - pose.tx;
        const sv = v - sdy - pose.ty;
        const qx = pose.m00 * su + pose.m01 * sv;
        const qy = pose.m10 * su + pose.m11 * sv;
        if (qx * qx + qy * qy < 1.9) {
          const a = coverage(shapeDistanceOnly(shape, qx, qy) * scalePx) * 0.3;
          r *= 1 - a;
          g *= 1 - a;
          b *= 1 - a;
        }
      }

      const du = u - pose.tx;
      const dv = v - pose.ty;
      const qx = pose.m00 * du + pose.m01 * dv;
      const qy = pose.m10 * du + pose.m11 * dv;
      if (qx * qx + qy * qy < 1.9) {
        const d = shapeDistance(shape, qx, qy) * scalePx;
        const fill = coverage(d);
        if (fill > 0) {
          const part = shape.nearestPart;
          const col = palette[part]!;
          const along = (cx * du + cy * dv) / pose.scale;
          const k = shading === 1 ? (along > 0.25 ? 0.78 : 1) : shading === 2 ? 1 - gradK * along : 1;
          r += (col[0] * k - r) * fill;
          g += (col[1] * k - g) * fill;
          b += (col[2] * k - b) * fill;
        }
        let edge = Math.abs(d);
        if (innerLines && d < 0) {
          for (let k = 0; k < shape.count; k++) {
            if (shape.holes[k]) continue;
            const e = Math.abs(shape.distances[k]!) * scalePx;
            if (e < edge && k !== shape.nearestPart) edge = e;
          }
        }
        const line = outlinePx > 0 ? coverage(edge - outlinePx / 2) : 0;
        if (line > 0) {
          r += (outline[0] - r) * line;
          g += (outline[1] - g) * line;
          b += (outline[2] - b) * line;
        }
      }
      const o = (y * size + x) * 3;
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
    }
  }
}

// Chest-X-ray analogue (the CheXpert stand-in): grayscale, low contrast, blurred anatomy
// (torso with shoulders and neck, two dark lung fields crossed by faint ribs, spine, heart
// shadow, clavicles) with patient-to-patient variation. The class is ONE subtle local finding
// (single-label, unlike CheXpert's 5 independent labels): an enlarged heart, perihilar haze,
// a focal opacity, a partly collapsed lung, or fluid at a lung base.
import type { Rng } from '../random/rng.ts';
import type { Canvas } from './canvas.ts';
import { coord } from './canvas.ts';
import { clamp01, coverage } from './color.ts';
import { makePose } from './pose.ts';
import { blobDistance, capsulePart, fastEllipse, fastEllipseDistance, SoftBlobPool, type FastEllipse } from './soft-blob.ts';
import { fractalNoise } from './value-noise.ts';

export const XRAY_CLASSES = ['cardiomegaly', 'edema', 'consolidation', 'atelectasis', 'pleural_effusion'] as const;

interface Lung {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

const blobs = new SoftBlobPool();

export function renderXray(canvas: Canvas, rng: Rng, classIndex: number): void {
  blobs.reset();
  const { size, px, rgb } = canvas;
  const noise = canvas.noiseA;
  fractalNoise(rng, size, noise, 3, 3, 0.6);
  const pose = makePose(
    rng.range(-0.07, 0.07),
    rng.range(0.92, 1.06),
    rng.range(0.92, 1.06),
    rng.range(-0.05, 0.05),
    rng.range(-0.05, 0.05),
  );
  const soft = rng.range(1.8, 3) * px;
  const far = 1e9;

  const torso = fastEllipse(0, rng.range(0.3, 0.4), rng.range(0.86, 0.96), 1.25);
  const neck = blobs.take(capsulePart(0, -0.9, 0.2, rng.range(0.18, 0.24), Math.PI / 2), 4 * soft);
  const lungRx = rng.range(0.27, 0.33);
  const lungRy = rng.range(0.52, 0.62);
  const lungCy = rng.range(-0.06, 0.02);
  const lungGap = rng.range(0.34, 0.41);
  const lungs: Lung[] = [
    { cx: -lungGap, cy: lungCy, rx: lungRx * rng.range(0.95, 1.05), ry: lungRy * rng.range(0.96, 1.04) },
    { cx: lungGap, cy: lungCy, rx: lungRx * rng.range(0.95, 1.05), ry: lungRy * rng.range(0.96, 1.04) },
  ];
  const side = rng.chance(0.5) ? 0 : 1; // the lung that carries a one-sided finding
  const lung = lungs[side]!;
  let heartScale = rng.range(0.9, 1.1);
  let hazeK = 0;
  let focal: FastEllipse | null = null;
  let focalK = 0;
  let plateV = Infinity;
  let fluidLevel = Infinity;
  switch (classIndex) {
    case 0: // cardiomegaly
      heartScale = rng.range(1.15, 1.4);
      break;
    case 1: // edema: bilateral perihilar haze
      hazeK = rng.range(0.06, 0.14);
      break;
    case 2: // consolidation: focal opacity inside one lung
      focal = fastEllipse(
        lung.cx + rng.range(-0.1, 0.1),
        lung.cy + rng.range(-0.5, 0.35) * lung.ry,
        rng.range(0.07, 0.15),
        rng.range(0.07, 0.15),
        rng.range(0, Math.PI),
      );
      focalK = rng.range(0.08, 0.16);
      break;
    case 3: {
      // atelectasis: one lung loses volume from below and shows a plate-like band
      const loss = rng.range(0.12, 0.25) * lung.ry;
      lung.ry -= loss / 2;
      lung.cy -= loss / 2;
      plateV = lung.cy + lung.ry * rng.range(0.1, 0.5);
      break;
    }
    case 4: // pleural effusion: fluid fills the base of one lung up to a meniscus
      fluidLevel = lung.cy + lung.ry * rng.range(0.45, 0.7);
      break;
    default:
      throw new Error(`xray class index ${classIndex} outside [0, ${XRAY_CLASSES.length})`);
  }
  const lungShapes = lungs.map((l) => fastEllipse(l.cx, l.cy, l.rx, l.ry, Math.sign(l.cx) * rng.range(0, 0.1)));
  const heart = fastEllipse(
    rng.range(0.06, 0.14),
    rng.range(0.3, 0.38),
    0.27 * heartScale,
    0.19 * Math.sqrt(heartScale),
    rng.range(-0.45, -0.2),
  );
  const clavicles = [-1, 1].map((s) => blobs.take(capsulePart(s * 0.36, -0.64, 0.28, 0.035, -s * rng.range(0.15, 0.3)), 3 * soft));

  const tissue = rng.range(0.42, 0.55);
  const lungDark = rng.range(0.2, 0.3);
  const heartK = rng.range(0.75, 0.95);
  const ribK = rng.range(0.03, 0.07);
  const ribFreq = rng.range(13, 17);
  const ribPhase = rng.range(0, 6.283);
  const spineK = rng.range(0.08, 0.14);
  const contrast = rng.range(0.55, 0.95);
  const brightness = rng.range(-0.06, 0.06);
  const grain = rng.range(0.03, 0.07);

  for (let y = 0; y < size; y++) {
    const iv = coord(y, size);
    for (let x = 0; x < size; x++) {
      const iu = coord(x, size);
      const du = iu - pose.tx;
      const dv = iv - pose.ty;
      const u = pose.m00 * du + pose.m01 * dv;
      const v = pose.m10 * du + pose.m11 * dv;
      const i = y * size + x;
      const n = noise[i]!;
      const body = Math.max(coverage(fastEllipseDistance(torso, u, v) / (soft * 2)), coverage(blobDistance(neck, u, v, far) / (soft * 2)));
      let val = 0.05 + body * (tissue + 0.07 * n);
      const spine = 1 - Math.abs(u) / 0.09;
      if (spine > 0) val += spineK * body * spine * (0.85 + 0.15 * Math.sin(v * 40));
      const heartMask = coverage(fastEllipseDistance(heart, u, v) / soft);
      for (let k = 0; k < 2; k++) {
        const lm = coverage(fastEllipseDistance(lungShapes[k]!, u, v) / soft);
        if (lm <= 0) continue;
        const l = lungs[k]!;
        // heart (soft tissue) and fluid hide the lung's air darkness; they never exceed tissue
        let hidden = heartMask * heartK;
        if (k === side && fluidLevel !== Infinity) {
          const lateral = Math.max(0, (u - l.cx) * Math.sign(l.cx));
          hidden = Math.max(hidden, 0.9 * clamp01((v - fluidLevel + 0.4 * lateral) / soft + 0.5));
        }
        let inLung = -lungDark * (1 - hidden);
        const rib = Math.sin(ribFreq * (v + 0.4 * (u - l.cx) * (u - l.cx)) + ribPhase);
        if (rib > 0) inLung += ribK * rib * rib * rib;
        if (hazeK > 0) {
          const hx = u - l.cx * 0.55;
          const hy = v - l.cy;
          inLung += hazeK * Math.exp(-(hx * hx + hy * hy) / 0.1) * (1 + 0.6 * n);
        }
        if (k === side && plateV !== Infinity) inLung += 0.08 * Math.max(0, 1 - Math.abs(v - plateV - 0.15 * (u - l.cx)) / 0.04);
        val += inLung * lm;
      }
      val += 0.1 * (coverage(blobDistance(clavicles[0]!, u, v, far) / soft) + coverage(blobDistance(clavicles[1]!, u, v, far) / soft));
      if (focal) val += focalK * coverage(fastEllipseDistance(focal, u, v) / soft) * (1 + 0.5 * n);
      const out = (val - 0.35) * contrast + 0.35 + brightness + grain * (rng.float() + rng.float() - 1);
      const o = i * 3;
      rgb[o] = out;
      rgb[o + 1] = out;
      rgb[o + 2] = out;
    }
  }
}

// One embedded domain, generated deterministically from its params: the class shapes of its
// family, each image rendered in the domain's style (photo, clipart, quickdraw, x-ray).
import type { Dataset } from '../dataset.ts';
import { normalizationForChannels } from '../normalization.ts';
import { hashSeed, Rng } from '../random/rng.ts';
import { imageHash } from '../image-hash.ts';
import { zodIssueLines } from '../../engine/zod-errors.ts';
import { createCanvas, type Canvas } from './canvas.ts';
import { classShape, type ShapeFamily } from './class-shapes.ts';
import {
  DEFAULT_CLASS_COUNTS,
  GenerateDomainParamsSchema,
  type EmbeddedDomain,
  type GenerateDomainParams,
  type ResolvedDomainParams,
} from './domain-params.ts';
import { EMBEDDED_NORMALIZATION } from './embedded-normalization.ts';
import { renderClipart } from './render-clipart.ts';
import { renderPhoto } from './render-photo.ts';
import { renderQuickdraw } from './render-quickdraw.ts';
import { renderXray, XRAY_CLASSES } from './render-xray.ts';

export const GENERATOR_VERSION = 1;

export function resolveDomainParams(params: GenerateDomainParams): ResolvedDomainParams {
  const parsed = GenerateDomainParamsSchema.safeParse(params);
  if (!parsed.success) throw new Error(`generateDomain: bad params:\n  ${zodIssueLines(parsed.error).join('\n  ')}`);
  return { ...parsed.data, classes: parsed.data.classes ?? DEFAULT_CLASS_COUNTS[parsed.data.domain] };
}

export function familyOf(domain: EmbeddedDomain): ShapeFamily | null {
  return domain === 'source' ? 'source' : domain === 'xray' ? null : 'target';
}

export function classNames(domain: EmbeddedDomain, classes: number): string[] {
  if (domain === 'xray') return XRAY_CLASSES.slice(0, classes);
  const prefix = domain === 'source' ? 'source-shape' : 'target-shape';
  const digits = String(classes - 1).length;
  return Array.from({ length: classes }, (_, k) => `${prefix}-${String(k).padStart(Math.max(2, digits), '0')}`);
}

/** Renders one image (float RGB into the canvas) of class `label`. */
export function renderImage(canvas: Canvas, p: ResolvedDomainParams, label: number, rng: Rng): void {
  const family = familyOf(p.domain);
  switch (p.domain) {
    case 'source':
    case 'real':
      renderPhoto(canvas, rng, classShape(family!, label, p.worldSeed));
      return;
    case 'clipart':
      renderClipart(canvas, rng, classShape(family!, label, p.worldSeed));
      return;
    case 'quickdraw':
      renderQuickdraw(canvas, rng, classShape(family!, label, p.worldSeed));
      return;
    case 'xray':
      renderXray(canvas, rng, label);
      return;
  }
}

/**
 * Pure and deterministic: the same params give the same bytes in any process. Labels cycle
 * 0,1,…,K−1 so every class has exactly count/K images; train and test use independent random
 * streams; an image whose bytes repeat an earlier one of the split is redrawn.
 */
export function generateDomain(params: GenerateDomainParams): Dataset {
  const p = resolveDomainParams(params);
  const { size, channels, count, classes } = p;
  const canvas = createCanvas(size);
  const per = size * size * channels;
  const images = new Uint8Array(count * per);
  const labels = new Uint16Array(count);
  const seen = new Set<number>();
  let redraws = 0;
  const stream = hashSeed('embedded-image', GENERATOR_VERSION, p.domain, p.split, p.seed, p.worldSeed, size);
  for (let n = 0; n < count; n++) {
    const label = n % classes;
    labels[n] = label;
    for (let attempt = 0; ; attempt++) {
      const rng = new Rng(hashSeed(stream, n, attempt));
      renderImage(canvas, p, label, rng);
      quantize(canvas.rgb, images, n * per, per, channels);
      const h = imageHash(images, n * per, per);
      if (!seen.has(h)) {
        seen.add(h);
        break;
      }
      if (attempt >= 20) throw new Error(`generateDomain(${p.domain}): could not draw a distinct image ${n} after 20 attempts`);
      redraws++;
    }
  }
  return {
    header: {
      domain: p.domain,
      split: p.split,
      classes: classNames(p.domain, classes),
      count,
      height: size,
      width: size,
      channels,
      normalization: normalizationForChannels(EMBEDDED_NORMALIZATION[p.domain], channels),
      provenance: {
        generator: 'embedded',
        generatorVersion: GENERATOR_VERSION,
        params: { ...p },
        duplicateRedraws: redraws,
      },
    },
    images,
    labels,
  };
}

/** float RGB [0,1] → uint8 with 3 channels or 1 (Rec. 601 luma), written at out[offset…]. */
function quantize(rgb: Float32Array, out: Uint8Array, offset: number, length: number, channels: number): void {
  if (channels === 3) {
    for (let i = 0; i < length; i++) {
      const v = rgb[i]! * 255 + 0.5;
      out[offset + i] = v <= 0 ? 0 : Math.min(v, 255);
    }
    return;
  }
  for (let i = 0, j = 0; i < length; i++, j += 3) {
    const v = (0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!) * 255 + 0.5;
    out[offset + i] = v <= 0 ? 0 : Math.min(v, 255);
  }
}

// The embedded suite's domains (source, the DomainNet-like targets, the x-ray-like target) and
// their default and largest class counts.
import { z } from 'zod';

export const EMBEDDED_DOMAINS = ['source', 'real', 'clipart', 'quickdraw', 'xray'] as const;
export type EmbeddedDomain = (typeof EMBEDDED_DOMAINS)[number];
/** Target domains that share one class set (like DomainNet's 345 classes). */
export const SHARED_TARGET_DOMAINS = ['real', 'clipart', 'quickdraw'] as const;

export const DEFAULT_CLASS_COUNTS: Record<EmbeddedDomain, number> = {
  source: 40,
  real: 20,
  clipart: 20,
  quickdraw: 20,
  xray: 5,
};
export const MAX_CLASS_COUNTS: Record<EmbeddedDomain, number> = {
  source: 1000,
  real: 1000,
  clipart: 1000,
  quickdraw: 1000,
  xray: 5,
};

export const GenerateDomainParamsSchema = z
  .object({
    domain: z.enum(EMBEDDED_DOMAINS),
    split: z.enum(['train', 'test']),
    /** total images; must be a multiple of `classes` (exact class balance) */
    count: z.number().int().positive(),
    /** image side in pixels (16, 24, 28, 32 are the intended sizes) */
    size: z.number().int().min(8).max(128).default(32),
    channels: z.union([z.literal(1), z.literal(3)]).default(3),
    /** number of classes; defaults per domain (source 40, real/clipart/quickdraw 20, xray 5) */
    classes: z.number().int().min(2).optional(),
    /** image sampling seed (train and test draw independent streams from it) */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** seed of the class shapes ("the world"): keep it equal across domains so targets share classes */
    worldSeed: z.number().int().min(0).max(0xffffffff).default(0),
  })
  .strict()
  .superRefine((p, ctx) => {
    const k = p.classes ?? DEFAULT_CLASS_COUNTS[p.domain];
    if (k > MAX_CLASS_COUNTS[p.domain]) {
      ctx.addIssue({
        code: 'custom',
        path: ['classes'],
        message: `domain ${p.domain} has at most ${MAX_CLASS_COUNTS[p.domain]} classes, got ${k}`,
      });
    }
    if (p.count % k !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        message: `count ${p.count} is not a multiple of the ${k} classes (class balance must be exact); use e.g. ${Math.max(k, Math.round(p.count / k) * k)}`,
      });
    }
  });

export type GenerateDomainParams = z.input<typeof GenerateDomainParamsSchema>;
export type ResolvedDomainParams = z.output<typeof GenerateDomainParamsSchema> & { classes: number };

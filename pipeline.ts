// what-transfers: the CLI entry and the experiment's DAG.
//
//   dataset(domain) ─┬─ pretrain(source) ──────────────┐
//                    ├─ shuffle(target, block) ─ finetune(target, block, P-T|RI-T, seed, lr, ckpt)
//                    └──────────────────────────────────┴─ analyses ─ summaries ─ scorecard
//
// `npx tsx pipeline.ts figures` builds what the figures need. See README.md for the commands.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteDomains } from './data/load-suite.ts';
import { Dag, runCli, type Handle } from './engine/index.ts';
import { loadProfile } from './profiles/index.ts';
import type { Profile } from './profiles/schema.ts';
import type { BlockSize } from './stages/common/schemas.ts';
import { barrier } from './stages/barrier.ts';
import { blockShuffle } from './stages/block-shuffle.ts';
import { checkpointTransfer } from './stages/checkpoint-transfer.ts';
import { cka } from './stages/cka.ts';
import { criticality } from './stages/criticality.ts';
import { dataset } from './stages/dataset.ts';
import { distance } from './stages/distance.ts';
import { learningCurves } from './stages/learning-curves.ts';
import { mistakes } from './stages/mistakes.ts';
import { scorecard } from './stages/scorecard.ts';
import { spectrum } from './stages/spectrum.ts';
import { figureBarrier } from './stages/figure-barrier.ts';
import { figureBlockShuffle } from './stages/figure-block-shuffle.ts';
import { figureCheckpoints } from './stages/figure-checkpoints.ts';
import { figureCriticality } from './stages/figure-criticality.ts';
import { figureDomains } from './stages/figure-domains.ts';
import { figureLearningCurves } from './stages/figure-learning-curves.ts';
import { figureMistakes } from './stages/figure-mistakes.ts';
import { figureSpectrum } from './stages/figure-spectrum.ts';
import { report } from './stages/report.ts';
import { tables } from './stages/tables.ts';
import { publishReport } from './figures/publish-report.ts';
import { finetune } from './stages/finetune.ts';
import { pretrain } from './stages/pretrain.ts';
import { shuffle } from './stages/shuffle.ts';

const ROOT = dirname(fileURLToPath(import.meta.url));
// Lock files (commit them, like dvc.lock), one per profile; WT_LOCK_DIR moves them (tests do).
const LOCKS = process.env.WT_LOCK_DIR || join(ROOT, 'locks');

type Init = 'P-T' | 'RI-T';
type Recipe = Profile['pretrain'] | Profile['finetune'];

/** The profile's recipe as the trainer's config: lr drops at fractions of the epochs. */
function trainConfig(r: Recipe, lr: number, seed: number, initSeed = seed, onDivergence: 'error' | 'stop' = 'error') {
  const drops = [...new Set(r.lrDropFractions.map((f) => Math.round(f * r.epochs)))].filter((e) => e >= 1 && e < r.epochs);
  return {
    epochs: r.epochs,
    batchSize: r.batchSize,
    lr,
    momentum: r.momentum,
    weightDecay: r.weightDecay,
    lrDropEpochs: drops,
    lrDropFactor: r.lrDropFactor,
    smallParamLrFactor: r.smallParamLrFactor,
    mixupAlpha: r.mixupAlpha,
    seed,
    initSeed,
    onDivergence,
    ...(r.trainEvalSize ? { trainEvalSize: r.trainEvalSize } : {}),
  };
}

/** Fig. 7's checkpoints: early epochs, each side of every lr drop, and the last. */
function checkpointEpochs(p: Profile): number[] {
  if (p.checkpoints.epochs) return [...new Set(p.checkpoints.epochs)].sort((a, b) => a - b);
  const e = p.pretrain.epochs;
  const drops = trainConfig(p.pretrain, p.pretrain.lr, 0).lrDropEpochs;
  const picks = [0, 1, 2, ...drops.flatMap((d) => [d - 1, d, d + 1]), e];
  return [...new Set(picks.filter((x) => x >= 0 && x <= e))].sort((a, b) => a - b);
}

export function buildDag(p: Profile): Dag {
  const dag = new Dag();
  const domains = suiteDomains(p.suite);
  const sourceDomain = domains.find((d) => d.role === 'source')!.domain;
  const targets = p.targets ?? domains.filter((d) => d.role === 'target').map((d) => d.domain);
  const data = new Map(domains.map((d) => [d.domain, dag.add(dataset, { suite: p.suite, domain: d.domain })]));
  const source = dag.add(pretrain, { arch: p.arch, train: trainConfig(p.pretrain, p.pretrain.lr, p.pretrain.seed) }, { data: data.get(sourceDomain)! });
  const lrOf = (init: Init) => (init === 'P-T' ? p.finetune.lrPT : p.finetune.lrRIT);

  const shuffled = (target: string, blockSize: BlockSize, seed: number) =>
    dag.add(shuffle, { blockSize, seed: p.shuffle.seedBase + seed }, { data: data.get(target)! }, { label: `${target},b=${blockSize},seed=${seed}` });

  interface Run {
    target: string;
    init: Init;
    seed: number;
    initSeed?: number;
    blockSize?: BlockSize;
    lr?: number;
    sourceEpoch?: number;
  }
  const ft = (r: Run) => {
    const lr = r.lr ?? lrOf(r.init);
    const tags = [
      r.target,
      r.blockSize !== undefined ? `b=${r.blockSize}` : '',
      r.init,
      `seed=${r.seed}`,
      r.initSeed !== undefined && r.initSeed !== r.seed ? `init=${r.initSeed}` : '',
      r.lr !== undefined && r.lr !== lrOf(r.init) ? `lr=${r.lr}` : '',
      r.sourceEpoch !== undefined ? `ckpt=${r.sourceEpoch}` : '',
    ].filter(Boolean);
    return dag.add(
      finetune,
      { init: r.init, sourceEpoch: r.sourceEpoch ?? null, arch: p.arch, train: trainConfig(p.finetune, lr, r.seed, r.initSeed ?? r.seed, 'stop') },
      { data: r.blockSize === undefined ? data.get(r.target)! : shuffled(r.target, r.blockSize, r.seed), source: r.init === 'P-T' ? source : undefined },
      { label: tags.join(',') },
    );
  };

  const finetunes: Handle[] = [];
  const [s0, s1] = p.seeds as [number, number];
  const main = new Map<string, { pt: Handle[]; rit: Handle[]; ritSameInit: Handle; lrVariants: Handle[] }>();
  for (const target of targets) {
    const pt = p.seeds.map((seed) => ft({ target, init: 'P-T', seed }));
    const rit = p.seeds.map((seed) => ft({ target, init: 'RI-T', seed }));
    const ritSameInit = ft({ target, init: 'RI-T', seed: s1, initSeed: s0 }); // shares RI-T seed s0's init (Fig. 16)
    const lrVariants = p.lrVariants ? (['P-T', 'RI-T'] as const).map((init) => ft({ target, init, seed: s0, lr: lrOf(init === 'P-T' ? 'RI-T' : 'P-T') })) : [];
    main.set(target, { pt, rit, ritSameInit, lrVariants });
    finetunes.push(...pt, ...rit, ritSameInit, ...lrVariants);
  }
  const shuffledRuns: Handle[] = [];
  for (const target of p.shuffle.targets) {
    for (const blockSize of p.shuffle.blockSizes) for (const init of ['P-T', 'RI-T'] as const) shuffledRuns.push(ft({ target, init, seed: s0, blockSize }));
  }
  const checkpointRuns: Handle[] = [];
  for (const target of p.checkpoints.targets) {
    for (const sourceEpoch of checkpointEpochs(p)) {
      checkpointRuns.push(sourceEpoch === p.pretrain.epochs && main.has(target) ? main.get(target)!.pt[0]! : ft({ target, init: 'P-T', seed: s0, sourceEpoch }));
    }
  }
  finetunes.push(...shuffledRuns, ...checkpointRuns);

  // Analyses, per main target.
  const a = p.analyses;
  const analyses: Handle[] = [];
  const perTarget = { mistakes: [] as Handle[], cka: [] as Handle[], distance: [] as Handle[], barrier: [] as Handle[], criticality: [] as Handle[] };
  for (const [target, m] of main) {
    const d = data.get(target)!;
    const label = { label: target };
    perTarget.mistakes.push(dag.add(mistakes, { gridImages: a.mistakes.gridImages }, { pt: m.pt, rit: m.rit, data: d }, label));
    perTarget.cka.push(dag.add(cka, { examples: a.cka.examples, unbiased: a.cka.unbiased }, { source, pt: m.pt, rit: m.rit, data: d }, label));
    perTarget.distance.push(dag.add(distance, { exclude: ['fc'] }, { source, pt: m.pt, rit: m.rit }, label));
    perTarget.barrier.push(dag.add(barrier, { points: a.barrier.points }, { pt: m.pt, rit: m.rit, ritSameInit: m.ritSameInit, data: d }, label));
    if (!a.criticality.targets || a.criticality.targets.includes(target)) {
      const { targets: _, ...grid } = a.criticality;
      perTarget.criticality.push(dag.add(criticality, grid, { pt: m.pt[0]!, rit: m.rit[0]!, data: d }, label));
    }
    analyses.push(dag.add(spectrum, {}, { source, pt: m.pt[0]!, rit: m.rit[0]! }, label));
  }
  const mainRuns = [...main.values()].flatMap((m) => [...m.pt, ...m.rit, ...m.lrVariants]);
  const curves = dag.add(learningCurves, {}, { runs: mainRuns });
  const blocks = p.shuffle.targets.length
    ? dag.add(blockShuffle, {}, { runs: [...p.shuffle.targets.flatMap((t) => (main.has(t) ? [main.get(t)!.pt[0]!, main.get(t)!.rit[0]!] : [])), ...shuffledRuns], data: p.shuffle.targets.map((t) => data.get(t)!) })
    : undefined;
  const checkpoints = checkpointRuns.length ? dag.add(checkpointTransfer, {}, { source, runs: checkpointRuns }) : undefined;
  const card = dag.add(
    scorecard,
    { mainLr: { pt: p.finetune.lrPT, rit: p.finetune.lrRIT } },
    { source, curves, ...perTarget, blocks, checkpoints },
  );
  analyses.push(...Object.values(perTarget).flat(), curves, ...(blocks ? [blocks] : []), ...(checkpoints ? [checkpoints] : []), card);

  // Figures and the report: cheap, and each reads only analysis outputs.
  const mainLr = { pt: p.finetune.lrPT, rit: p.finetune.lrRIT };
  const shuffleDomain = p.shuffle.targets[0] ?? targets[0]!;
  const figures = [
    dag.add(figureDomains, { blockSizes: p.shuffle.blockSizes, shuffleSeed: p.shuffle.seedBase + s0, shuffleDomain }, { data: [...data.values()] }),
    dag.add(figureLearningCurves, { mainLr }, { curves }),
    ...(blocks ? [dag.add(figureBlockShuffle, {}, { blocks })] : []),
    dag.add(figureMistakes, {}, { mistakes: perTarget.mistakes }),
    dag.add(figureBarrier, {}, { barrier: perTarget.barrier }),
    ...(perTarget.criticality.length ? [dag.add(figureCriticality, {}, { criticality: perTarget.criticality })] : []),
    ...(checkpoints ? [dag.add(figureCheckpoints, {}, { checkpoints })] : []),
    dag.add(figureSpectrum, {}, { spectrum: analyses.filter((h) => h.stage.name === 'spectrum') }),
  ];
  const tableHandle = dag.add(tables, {}, { cka: perTarget.cka, distance: perTarget.distance });
  const { name, description, ...settings } = p;
  const page = dag.add(report, { profile: name, description, settings }, { figures, tables: tableHandle, scorecard: card });

  dag.group('datasets', [...data.values()]);
  dag.group('training', [source, ...finetunes]);
  dag.group('analyses', analyses);
  dag.group('figures', [page]);
  return dag;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli({
    name: 'pipeline.ts',
    description: 'Reproduce "What is being transferred in transfer learning?" (Neyshabur, Sedghi & Zhang, NeurIPS 2020).',
    root: ROOT,
    defaultTargets: ['figures'],
    options: [
      { flags: '-p, --profile <name>', description: 'tiny | default | paper', defaultValue: 'default' },
      { flags: '-c, --config <file>', description: 'JSON object of profile fields to override' },
      { flags: '-s, --set <key=value>', description: 'override one profile field, e.g. finetune.epochs=5 (repeatable)', repeatable: true },
    ],
    createDag: (o) => buildDag(loadProfile({ profile: o.profile as string, config: o.config as string | undefined, set: o.set as string[] | undefined })),
    afterBuild: (summary, project, o) => {
      const index = publishReport(summary, project, String(o.profile ?? 'default'));
      if (index && !o.json && !o.quiet) process.stderr.write(`Report: ${index}\n`);
    },
    lockFile: (o) => join(LOCKS, `${String(o.profile ?? 'default')}.lock.json`),
    allLockFiles: () => {
      try {
        return readdirSync(LOCKS).filter((f) => f.endsWith('.lock.json')).map((f) => join(LOCKS, f));
      } catch {
        return [];
      }
    },
  });
}

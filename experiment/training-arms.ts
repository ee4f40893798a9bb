// The experiment's training runs: one dataset per domain, pre-training on the source, and the
// fine-tuning arms of every figure. Each arm's replicates are independent runs (own data order,
// own init stream, own permutation for shuffled data); what two runs share is named here.
//
//   main matrix (Figs. 2, 4, 5, 6, Tables 1, 2): every target × {P-T, RI-T} × `seeds`, plus the
//     same-init RI-T pair and both inits at the other learning rate;
//   shuffle arms (Fig. 3): shuffle targets × block sizes × {P-T, RI-T} × `shuffle.replicates`,
//     and their unshuffled baseline, all without augmentation;
//   checkpoint arms (Fig. 7): P-T from each pre-training checkpoint × `checkpoints.replicates`.
import { suiteDomains } from '../data/suite-domains.ts';
import type { Dag, Handle } from '../engine/index.ts';
import type { Profile } from '../profiles/schema.ts';
import type { BlockSize } from '../stages/common/schemas.ts';
import { dataset } from '../stages/dataset.ts';
import { finetune } from '../stages/finetune.ts';
import { pretrain } from '../stages/pretrain.ts';
import { shuffle } from '../stages/shuffle.ts';
import { initKey } from './init-streams.ts';
import { checkpointEpochs, trainConfig } from './recipe.ts';
import { planShuffles, shuffleReplicateSeeds } from './shuffle-plan.ts';

type Init = 'P-T' | 'RI-T';

interface Run {
  target: string;
  init: Init;
  seed: number;
  /** RI-T: whose init stream to use (default: its own seed's) */
  initSeed?: number;
  blockSize?: BlockSize;
  /** which permutation of the shuffle seed's RandomState (shuffle-strength.ts) */
  draw?: number;
  lr?: number;
  sourceEpoch?: number;
  /** the recipe's augmentation (false for shuffled arms and their baseline) */
  augment: boolean;
}

export interface MainRuns {
  pt: Handle[];
  rit: Handle[];
  ritSameInit: Handle;
  /** P-T at the RI-T lr and RI-T at the P-T lr (Fig. 2; the latter also Figs. 5 and 6) */
  ptAtRitLr?: Handle;
  ritAtPtLr?: Handle;
}

export interface TrainingArms {
  data: Map<string, Handle>;
  source: Handle;
  targets: string[];
  main: Map<string, MainRuns>;
  /** per shuffle target: the unshuffled baseline and every shuffled run */
  shuffled: Map<string, Handle[]>;
  checkpointRuns: Handle[];
  finetunes: Handle[];
}

export function addTrainingArms(dag: Dag, p: Profile): TrainingArms {
  const domains = suiteDomains(p.suite);
  const sourceDomain = domains.find((d) => d.role === 'source')!.domain;
  const targets = p.targets ?? domains.filter((d) => d.role === 'target').map((d) => d.domain);
  const data = new Map(domains.map((d) => [d.domain, dag.add(dataset, { suite: p.suite, domain: d.domain })]));
  const pretrainConfig = trainConfig(
    p.pretrain,
    p.pretrain.lr,
    { seed: p.pretrain.seed, initKey: initKey('pretrain', p.pretrain.seed) },
    { augment: true, onDivergence: 'error' },
  );
  const source = dag.add(pretrain, { arch: p.arch, train: pretrainConfig }, { data: data.get(sourceDomain)! });
  const ft = finetuneAdder(dag, p, data, source);

  const finetunes: Handle[] = [];
  const main = new Map<string, MainRuns>();
  for (const target of targets) {
    const runs = mainRuns(p, target, ft);
    main.set(target, runs);
    finetunes.push(...runs.pt, ...runs.rit, runs.ritSameInit, ...[runs.ptAtRitLr, runs.ritAtPtLr].filter((h) => h !== undefined));
  }
  const shuffled = new Map(p.shuffle.targets.map((t) => [t, shuffleArm(p, t, main.get(t), ft)]));
  const checkpointRuns = p.checkpoints.targets.flatMap((t) => checkpointArm(p, t, main.get(t), ft));
  for (const runs of [...shuffled.values(), checkpointRuns]) for (const h of runs) if (!finetunes.includes(h)) finetunes.push(h);
  return { data, source, targets, main, shuffled, checkpointRuns, finetunes };
}

type AddFinetune = (r: Run) => Handle;

function finetuneAdder(dag: Dag, p: Profile, data: Map<string, Handle>, source: Handle): AddFinetune {
  const lrOf = (init: Init) => (init === 'P-T' ? p.finetune.lrPT : p.finetune.lrRIT);
  const shuffled = (target: string, blockSize: BlockSize, seed: number, draw: number) =>
    dag.add(
      shuffle,
      { blockSize, seed: p.shuffle.seedBase + seed, draw },
      { data: data.get(target)! },
      { label: `${target},b=${blockSize},seed=${seed}` },
    );
  return (r) => {
    const lr = r.lr ?? lrOf(r.init);
    const ownInit = r.initSeed ?? r.seed;
    const key = r.init === 'RI-T' ? initKey('RI-T', ownInit) : initKey('P-T head', ownInit);
    const tags = [
      r.target,
      r.blockSize !== undefined ? `b=${r.blockSize}` : '',
      r.init,
      `seed=${r.seed}`,
      ownInit !== r.seed ? `init=${ownInit}` : '',
      lr !== lrOf(r.init) ? `lr=${lr}` : '',
      r.sourceEpoch !== undefined ? `ckpt=${r.sourceEpoch}` : '',
      r.augment || (!p.finetune.augment.flip && !p.finetune.augment.pad) ? '' : 'noaug',
    ].filter(Boolean);
    const train = trainConfig(p.finetune, lr, { seed: r.seed, initKey: key }, { augment: r.augment, onDivergence: 'stop' });
    return dag.add(
      finetune,
      { init: r.init, sourceEpoch: r.sourceEpoch ?? null, arch: p.arch, train },
      {
        data: r.blockSize === undefined ? data.get(r.target)! : shuffled(r.target, r.blockSize, r.seed, r.draw ?? 0),
        source: r.init === 'P-T' ? source : undefined,
      },
      { label: tags.join(',') },
    );
  };
}

function mainRuns(p: Profile, target: string, ft: AddFinetune): MainRuns {
  const [s0, s1] = p.seeds as [number, number];
  const runs: MainRuns = {
    pt: p.seeds.map((seed) => ft({ target, init: 'P-T', seed, augment: true })),
    rit: p.seeds.map((seed) => ft({ target, init: 'RI-T', seed, augment: true })),
    // data order of seed s1, init of RI-T seed s0: the appendix's same-init pair
    ritSameInit: ft({ target, init: 'RI-T', seed: s1, initSeed: s0, augment: true }),
  };
  if (p.lrVariants) {
    runs.ptAtRitLr = ft({ target, init: 'P-T', seed: s0, lr: p.finetune.lrRIT, augment: true });
    runs.ritAtPtLr = ft({ target, init: 'RI-T', seed: s0, lr: p.finetune.lrPT, augment: true });
  }
  return runs;
}

/** Fig. 3's runs of one target: the unshuffled baseline, then each block size; never augmented. */
function shuffleArm(p: Profile, target: string, main: MainRuns | undefined, ft: AddFinetune): Handle[] {
  const seeds = shuffleReplicateSeeds(p);
  const augmented = p.finetune.augment.flip || p.finetune.augment.pad > 0;
  const baseline = seeds.flatMap((seed, i) =>
    main && !augmented ? [main.pt[i]!, main.rit[i]!] : (['P-T', 'RI-T'] as const).map((init) => ft({ target, init, seed, augment: false })),
  );
  const arms = p.shuffle.blockSizes.flatMap((blockSize) => {
    const plans = planShuffles(p, blockSize);
    return seeds.flatMap((seed, i) =>
      (['P-T', 'RI-T'] as const).map((init) => ft({ target, init, seed, blockSize, draw: plans[i]!.draw, augment: false })),
    );
  });
  return [...baseline, ...arms];
}

/** Fig. 7's runs of one target; the last checkpoint's are the main matrix's P-T runs. */
function checkpointArm(p: Profile, target: string, main: MainRuns | undefined, ft: AddFinetune): Handle[] {
  const seeds = p.seeds.slice(0, p.checkpoints.replicates);
  return checkpointEpochs(p).flatMap((sourceEpoch) =>
    seeds.map((seed, i) =>
      sourceEpoch === p.pretrain.epochs && main ? main.pt[i]! : ft({ target, init: 'P-T', seed, sourceEpoch, augment: true }),
    ),
  );
}

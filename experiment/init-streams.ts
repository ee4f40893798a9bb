// Which random stream each fresh initialisation draws from. The trainer seeds every parameter's
// init from (init key, parameter name), so two runs share initial weights exactly when they share
// a key. Keys name the role as well as the replicate: pre-training, each RI-T replicate and each
// P-T run's new head draw from streams of their own, and a bare seed 0 can never make RI-T
// start from pre-training's epoch-0 weights. The DAG shares a key only on purpose:
//  • the same-init RI-T pair (the appendix's same-init barrier) reuses RI-T seed s0's key;
//  • the RI-T run at the other learning rate reuses its seed's key, so the lr is the only change;
//  • P-T runs from earlier pre-training checkpoints reuse their seed's head key, so Fig. 7
//    compares checkpoints with everything else paired.
export type InitRole = 'pretrain' | 'RI-T' | 'P-T head';

export function initKey(role: InitRole, seed: number): string {
  return `${role}/seed=${seed}`;
}

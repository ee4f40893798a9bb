// Which random stream each fresh initialisation draws from. The trainer seeds every parameter's
// init from (init key, parameter name), so two runs share initial weights exactly when they share
// a key. Keys name the role as well as the replicate: pre-training, each RI-T replicate and each
// P-T run's new head draw from streams of their own, and a bare seed 0 can never make RI-T
// start from pre-training's epoch-0 weights. The DAG shares a key only on purpose:
//  • the same-init RI-T pair (the appendix's same-init barrier) reuses RI-T seed s0's key;
//  • the RI-T run at the other learning rate reuses its seed's key, so the lr is the only change;
//  • P-T runs from earlier pre-training checkpoints reuse their seed's head key, so Fig. 7
//    compares checkpoints with everything else paired;
//  • a key does not name the target or the block size: replicate s starts from the same init on
//    every target and every shuffle level (common random numbers), so differences across targets
//    and block sizes come from the data, not from the draw of the init.
// Comparisons within one target never pair runs of the same seed across inits (the analyses pair
// P-T seed i with RI-T seed j ≠ i), because P-T and RI-T of one seed also share the data order.
export type InitRole = 'pretrain' | 'RI-T' | 'P-T head';

export function initKey(role: InitRole, seed: number): string {
  return `${role}/seed=${seed}`;
}

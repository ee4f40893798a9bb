// Every claim the scorecard states, in the order it prints them. Each is always printed: a claim
// whose analysis did not run says "not measured" and why.
import type { Claim } from '../claim.ts';
import {
  rewindingHurtsRit,
  rewindingHurtsRitSameLr,
  rewindingMean,
  rewindingMeanSameLr,
  stemNotCritical,
  stemNotCriticalSameLr,
} from './criticality.ts';
import {
  ckaFallsWithDepth,
  ckaOrdering,
  distanceRatio,
  ptPairsCloser,
  ptSameBasin,
  ptSimilarMistakes,
  ritCkaNearZero,
  sameInitBarrier,
} from './pairs.ts';
import { advantageShrinks, checkpointsPlateau, ptFasterWhenShuffled } from './shuffle-and-checkpoints.ts';
import { advantageFollowsSimilarity, ptMoreAccurate, ptTrainsFaster } from './training.ts';

export const CLAIMS: readonly Claim[] = [
  ptTrainsFaster,
  ptMoreAccurate,
  advantageFollowsSimilarity,
  ptSimilarMistakes,
  ckaOrdering,
  ckaFallsWithDepth,
  ritCkaNearZero,
  ptPairsCloser,
  distanceRatio,
  ptSameBasin,
  sameInitBarrier,
  rewindingHurtsRit,
  rewindingHurtsRitSameLr,
  rewindingMean,
  rewindingMeanSameLr,
  stemNotCritical,
  stemNotCriticalSameLr,
  ptFasterWhenShuffled,
  advantageShrinks,
  checkpointsPlateau,
];

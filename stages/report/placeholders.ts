// What the stored report leaves for the published copy to fill in (figures/publish-report.ts):
// things that depend on how and where this build ran, not on the results, so they must not enter
// the report's fingerprint.
/** the run table: which stages ran, their times, backends and fingerprints */
export const RUN_METADATA = '<!--RUN-METADATA-->';
/** the flags that selected the experiment, in each figure's regenerate command (survives HTML escaping) */
export const SELECTION = '{{selection}}';

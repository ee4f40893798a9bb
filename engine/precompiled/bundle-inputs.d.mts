export declare const BUNDLE_INPUTS_VERSION: 1;
export declare function inputsRecordPath(bundle: string): string;
export interface BundleInputs {
  version: typeof BUNDLE_INPUTS_VERSION;
  root: string;
  files: BundleInput[];
}
/** [path relative to root, size in bytes, mtime in ms] */
export type BundleInput = [string, number, number];
export declare function statInput(root: string, file: string): BundleInput;
export declare function inputsRecord(root: string, entries: readonly BundleInput[]): BundleInputs;
export declare function inputsAreFresh(recordPath: string, root: string): boolean;

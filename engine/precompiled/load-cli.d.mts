export declare const CLI_SOURCE: string;
export declare function cliBundlePath(root: string): string;
export declare function loadCli(root: string): Promise<{ cli: typeof import('../../experiment/cli.ts'); ran(): void }>;
export declare function precompileCli(root: string): Promise<import('./build-bundle.ts').BundleBuilt>;

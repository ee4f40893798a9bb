// A shared cache of store entries, content-addressed like Bazel's remote cache:
//   ac/<fingerprint>  an entry's manifest.json (what was built, from what, and its files' digests)
//   cas/<sha256>      file contents, named by their digest
// A manifest is written only after all its files, so a manifest on the remote implies its files.
// The backends (directory-remote.ts, http-remote.ts) implement this interface; open-remote.ts
// picks one from the config, so nothing here imports a backend.

export interface RemoteCache {
  readonly name: string;
  /** shown to people: a URL without credentials, or a folder */
  readonly where: string;
  readonly readOnly: boolean;
  readonly parallel: number;
  /** risky settings to tell the user about once (e.g. a token over plain http) */
  readonly warnings?: readonly string[];
  /** an action-cache entry (a manifest or a signature), refused if larger than `maxBytes` */
  getManifest(key: string, maxBytes: number): Promise<Buffer | undefined>;
  putManifest(key: string, bytes: Buffer): Promise<void>;
  hasBlob(sha256: string): Promise<boolean>;
  /** stream a blob into the new file `dest`, at most `size` bytes (the caller verifies the digest) */
  getBlob(sha256: string, dest: string, size: number, onBytes?: (n: number) => void): Promise<void>;
  putBlob(sha256: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void>;
}

// A shared cache of store entries, content-addressed like Bazel's remote cache:
//   ac/<fingerprint>  an entry's manifest.json (what was built, from what, and its files' digests)
//   cas/<sha256>      file contents, named by their digest
// A manifest is written only after all its files, so a manifest on the remote implies its files.
import { resolve } from 'node:path';
import type { RemoteConfig } from '../runner-config.ts';
import { DirectoryRemote } from './directory-remote.ts';
import { HttpRemote } from './http-remote.ts';

export interface RemoteCache {
  readonly name: string;
  /** shown to people: a URL without credentials, or a folder */
  readonly where: string;
  readonly readOnly: boolean;
  readonly parallel: number;
  getManifest(fingerprint: string): Promise<Buffer | undefined>;
  putManifest(fingerprint: string, bytes: Buffer): Promise<void>;
  hasBlob(sha256: string): Promise<boolean>;
  /** stream a blob into `dest` (the caller verifies the digest) */
  getBlob(sha256: string, dest: string, onBytes?: (n: number) => void): Promise<void>;
  putBlob(sha256: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void>;
}

/** The remote is unreachable or misbehaving (as opposed to simply not having an entry). */
export class RemoteUnavailableError extends Error {
  override name = 'RemoteUnavailableError';
}

export function openRemote(name: string, config: RemoteConfig, projectRoot: string): RemoteCache {
  switch (config.type) {
    case 'directory':
      return new DirectoryRemote(name, resolve(projectRoot, config.path), config.readOnly);
    case 'http':
      return new HttpRemote(name, config);
  }
}

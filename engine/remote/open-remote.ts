// The remote cache a config names: a folder (a shared disk) or an HTTP server.
import { resolve } from 'node:path';
import type { RemoteConfig } from '../runner-config.ts';
import { DirectoryRemote } from './directory-remote.ts';
import { HttpRemote } from './http-remote.ts';
import type { RemoteCache } from './remote-cache.ts';

export function openRemote(name: string, config: RemoteConfig, projectRoot: string): RemoteCache {
  switch (config.type) {
    case 'directory':
      return new DirectoryRemote(name, resolve(projectRoot, config.path), config.readOnly, config.timeoutSeconds * 1000);
    case 'http':
      return new HttpRemote(name, config);
  }
}

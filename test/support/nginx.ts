// A real nginx serving a WebDAV-writable folder on a loopback port, started by the test itself
// with its own config in a temp dir. Installs Debian's nginx when it is missing.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ensureInstalled(binary: string, packages: string[]): string | undefined {
  const which = () =>
    spawnSync('sh', ['-c', `command -v ${binary} || ls /usr/sbin/${binary} 2>/dev/null`], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')[0];
  if (which()) return which();
  aptInstall(packages);
  return which() || undefined;
}

/** Installs Debian packages (updating the index first if the install fails); true if it worked. */
export function aptInstall(packages: string[]): boolean {
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 }).status ===
    0;
  if (apt(['install', '-y', ...packages])) return true;
  apt(['update']);
  return apt(['install', '-y', ...packages]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Nginx {
  url: string;
  root: string;
  stop(): Promise<void>;
}

export async function startNginx(opts: { limitRate?: string } = {}): Promise<Nginx | string> {
  const bin = ensureInstalled('nginx', ['nginx']);
  if (!bin) return 'nginx is not installed and `apt-get install nginx` failed';
  const dir = mkdtempSync(join(tmpdir(), 'wt-nginx-'));
  const root = join(dir, 'www');
  mkdirSync(root);
  chmodSync(dir, 0o755);
  chmodSync(root, 0o777); // workers run as an unprivileged user
  const port = await freePort();
  const temp = (n: string) => `${n}_temp_path ${join(dir, n)};`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
      client_max_body_size 0;
      ${opts.limitRate ? `limit_rate ${opts.limitRate};` : ''}
    }
  }
}
`,
  );
  execFileSync(bin, ['-t', '-q', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]);
  const child: ChildProcess = spawn(bin, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
      await r.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

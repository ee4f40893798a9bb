// Fault rows for a remote whose transport misbehaves (classes 4, 5 and 10 of the trust review):
//   sizes       a blob far longer than declared, an endless body, a 400 MB manifest — and, the
//               other way round, a slow but steady transfer that must not be cut off
//   hung        a FIFO at ac/<fp>, a server that accepts and never answers, and Ctrl-C while a
//               request hangs
//   duplicates  an entry with two identical files (both downloads once shared one .part name)
// The remote is an in-process HTTP server over an honest directory remote, lying on request.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Store } from '../../engine/store.ts';
import { HttpRemote } from '../../engine/remote/http-remote.ts';
import { RemoteSession } from '../../engine/remote/remote-session.ts';
import { RemoteConfig } from '../../engine/runner-config.ts';
import { honestEntry, publish } from '../../test/support/forged-remote.ts';
import type { Campaign, Row } from '../faults.ts';
import { entryOf, honestRemote, labConfig, rowOf, trials, type TrialResult } from './remote-fixture.ts';

const DATASETS = ['dataset/source', 'dataset/real', 'dataset/quickdraw'];
type Lie = (path: string, req: IncomingMessage, res: ServerResponse) => boolean;

/** Serve `dir` as an HTTP remote; `lie` may answer a request itself (returning true). */
async function serve(dir: string, lie: Lie): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (lie(path, req, res)) return;
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-length': String(size) });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => (server.closeAllConnections(), server.close()),
  };
}

const endless = (res: ServerResponse) => {
  res.writeHead(200);
  const push = () => {
    while (!res.destroyed && res.write(Buffer.alloc(65536, 1)));
    if (!res.destroyed) res.once('drain', push);
  };
  push();
};

async function datasetsOver(
  c: Campaign,
  sandbox: string,
  store: string,
  lie: Lie,
  timeoutSeconds: number,
  expect: { refused: RegExp | null },
): Promise<TrialResult> {
  const server = await serve(join(sandbox, 'remote'), lie);
  try {
    const config = labConfig(sandbox, { type: 'http', url: server.url, timeoutSeconds, parallel: 2 });
    const t0 = performance.now();
    const r = await c.run(['datasets', '--store', store, '--remote', 'lab', '--remote-read-only', '--json'], { WT_CONFIG: config });
    const seconds = (performance.now() - t0) / 1000;
    const outcomes = (JSON.parse(r.stdout || '{"outcomes":[]}') as { outcomes: { outcome: string; fromRemote?: boolean }[] }).outcomes;
    const pulled = outcomes.filter((o) => o.fromRemote).length;
    return {
      detected: expect.refused ? expect.refused.test(r.stderr) : pulled === 3,
      recovered: r.code === 0 && outcomes.length === 3,
      note: `exit ${r.code} in ${seconds.toFixed(1)} s, ${pulled}/3 from the remote`,
    };
  } finally {
    server.close();
  }
}

export async function sizesRow(c: Campaign, referenceStore: string, sandbox: string): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  honestRemote(join(sandbox, 'remote'), referenceStore, DATASETS);
  const victim = entryOf(referenceStore, 'dataset/real');
  const blob = join('cas', victim.manifest.outputs.files[0]!.sha256);
  const cases: Record<string, { lie: Lie; timeout: number; refused: RegExp | null }> = {
    'blob 200 MB longer than declared': {
      lie: (p, _q, res) =>
        p.endsWith(blob) && (res.writeHead(200), res.end(Buffer.concat([readFileSync(p), Buffer.alloc(200 << 20)])), true),
      timeout: 30,
      refused: /larger than the \d+ bytes declared/,
    },
    'endless blob body': {
      lie: (p, _q, res) => p.endsWith(blob) && (endless(res), true),
      timeout: 30,
      refused: /larger than the \d+ bytes declared/,
    },
    '400 MB manifest': {
      lie: (p, _q, res) =>
        p.endsWith(victim.fp) && (res.writeHead(200, { 'content-length': String(400 << 20) }), res.write(Buffer.alloc(1 << 20)), true),
      timeout: 30,
      refused: /more than the \d+ allowed/,
    },
    'slow steady blob (10 pieces 0.3 s apart, 1 s idle timeout)': {
      lie: (p, _q, res) => p.endsWith(blob) && (trickle(p, res), true),
      timeout: 1,
      refused: null,
    },
  };
  const names = Object.keys(cases);
  const r = await trials(sandbox, names, (name, store) =>
    datasetsOver(c, sandbox, store, cases[name]!.lie, cases[name]!.timeout, { refused: cases[name]!.refused }),
  );
  return rowOf('remote sizes: declared size, manifest cap, idle (not total) timeout', names, r, 'refused entries are built locally');
}

/** The blob in 10 pieces 0.3 s apart: 3 s in all, three times the idle timeout. */
function trickle(path: string, res: ServerResponse): void {
  const bytes = readFileSync(path);
  res.writeHead(200, { 'content-length': String(bytes.length) });
  const piece = Math.ceil(bytes.length / 10);
  let at = 0;
  const tick = () => {
    if (res.destroyed) return;
    res.write(bytes.subarray(at, at + piece));
    at += piece;
    if (at >= bytes.length) res.end();
    else setTimeout(tick, 300);
  };
  tick();
}

export async function hungRow(c: Campaign, referenceStore: string, sandbox: string): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  const victim = entryOf(referenceStore, 'dataset/real');
  const names = [
    'FIFO at ac/<fp> (directory remote)',
    'server accepts, never answers (2 s timeout)',
    'Ctrl-C while a request hangs (60 s timeout)',
  ];
  const r = await trials(sandbox, names, async (name, store) => {
    const remote = join(sandbox, 'remote');
    honestRemote(remote, referenceStore, DATASETS);
    if (name.startsWith('FIFO')) {
      execFileSync('rm', ['-f', join(remote, 'ac', victim.fp)]);
      execFileSync('mkfifo', [join(remote, 'ac', victim.fp)]);
      const config = labConfig(sandbox, { type: 'directory', path: remote, timeoutSeconds: 2 });
      const t0 = performance.now();
      const run = await c.run(['datasets', '--store', store, '--remote', 'lab', '--remote-read-only'], { WT_CONFIG: config });
      return {
        detected: /not a regular file/.test(run.stderr),
        recovered: run.code === 0,
        note: `exit ${run.code} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      };
    }
    const hang: Lie = (p) => p.endsWith(victim.fp);
    if (name.startsWith('server')) return datasetsOver(c, sandbox, store, hang, 2, { refused: /nothing happened for 2 s/ });
    return ctrlCWhileHung(c, sandbox, store, hang);
  });
  return rowOf('hung remote: a FIFO, a silent server, Ctrl-C', names, r, 'nothing (the build goes on locally, or stops at once)');
}

async function ctrlCWhileHung(c: Campaign, sandbox: string, store: string, hang: Lie): Promise<TrialResult> {
  const server = await serve(join(sandbox, 'remote'), hang);
  try {
    const config = labConfig(sandbox, { type: 'http', url: server.url, timeoutSeconds: 60 });
    const child = c.start(['datasets', '--store', store, '--remote', 'lab', '--remote-read-only'], { WT_CONFIG: config });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 4000));
    const t0 = performance.now();
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    const seconds = (performance.now() - t0) / 1000;
    return { detected: code !== 'hung', recovered: code === 130, note: `exit ${code} ${seconds.toFixed(1)} s after SIGINT` };
  } finally {
    server.close();
  }
}

/** In-process: an entry with two identical 1 MB files pulled over HTTP, `tries` times. */
export async function duplicateFilesRow(sandbox: string, tries: number): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  const names = Array.from({ length: tries }, (_, i) => `try ${i + 1}`);
  const same = Buffer.alloc(1 << 20, 3);
  const r = await trials(sandbox, names, async (name, store) => {
    const remote = join(sandbox, 'remote');
    const entry = honestEntry(`twins-${name}`, [
      { path: 'a.bin', bytes: same },
      { path: 'copy/a.bin', bytes: same },
    ]);
    publish(remote, entry);
    const server = await serve(remote, () => false);
    try {
      const session = new RemoteSession(
        new HttpRemote('lab', RemoteConfig.parse({ type: 'http', url: server.url }) as never),
        new Store(store).init(),
        { required: false, readOnly: true, warn: () => {} },
      );
      const ok = await session.pull(entry.fingerprint);
      return {
        detected: ok && session.available,
        recovered: ok && session.available,
        identical: ok && new Store(store).readManifest(entry.fingerprint)?.outputs.digest === entry.manifest.outputs.digest,
      };
    } finally {
      server.close();
    }
  });
  return rowOf('entry with two identical files pulled', names, r, 'none');
}

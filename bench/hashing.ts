// Why the engine hashes files with node:crypto on the main thread rather than with hasha (whose
// hashFile runs in a worker thread): the wall time of hashing one large file, two at once, and a
// folder of small files (a real ImageFolder dataset), and the longest the event loop stalled
// meanwhile (a 1 ms ticker's largest gap: how long progress output would freeze). hasha is the
// baseline; `ratio` is hasha's time over ours.
//   npx tsx bench/hashing.ts [--mb 512] [--files 2000]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashFile } from 'hasha';
import { sha256File } from '../engine/digest.ts';

const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '512' }, files: { type: 'string', default: '2000' } } });
const DIR = join(import.meta.dirname, 'out', 'hashing');
const BIG = join(DIR, 'big.bin');
const SMALL = Array.from({ length: Number(args.files) }, (_, i) => join(DIR, 'small', `${i}.png`));

rmSync(DIR, { recursive: true, force: true });
mkdirSync(join(DIR, 'small'), { recursive: true });
writeFileSync(BIG, Buffer.alloc(Number(args.mb) << 20, 7));
for (const [i, f] of SMALL.entries()) writeFileSync(f, Buffer.alloc(4096, i));

/** wall seconds and the longest event-loop stall (ms) while `work` runs */
async function measure(work: () => Promise<unknown>): Promise<{ seconds: number; stallMs: number }> {
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5));
  await work();
  const seconds = (performance.now() - t0 - 5) / 1000;
  await new Promise((r) => setTimeout(r, 2));
  clearInterval(ticker);
  return { seconds, stallMs: stall };
}

const smallOurs = async () => {
  for (const f of SMALL) createHash('sha256').update(readFileSync(f)).digest('hex');
};
const smallHasha = async () => {
  for (let i = 0; i < SMALL.length; i += 8) await Promise.all(SMALL.slice(i, i + 8).map((f) => hashFile(f, { algorithm: 'sha256' })));
};
const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
  [`one ${args.mb} MB file`, () => sha256File(BIG), () => hashFile(BIG, { algorithm: 'sha256' })],
  [
    `two ${args.mb} MB files at once`,
    () => Promise.all([sha256File(BIG), sha256File(BIG)]),
    () => Promise.all([hashFile(BIG, { algorithm: 'sha256' }), hashFile(BIG, { algorithm: 'sha256' })]),
  ],
  [`${SMALL.length} files of 4 KB`, smallOurs, smallHasha],
];

console.log('| case | node:crypto (engine) | stall | hasha.hashFile (worker; baseline) | stall | ratio hasha/ours |');
console.log('|---|---|---|---|---|---|');
for (const [name, ours, theirs] of cases) {
  await measure(ours); // warm the page cache and the worker
  await measure(theirs);
  const a = await measure(ours);
  const b = await measure(theirs);
  console.log(
    `| ${name} | ${a.seconds.toFixed(3)} s | ${a.stallMs.toFixed(1)} ms | ${b.seconds.toFixed(3)} s | ${b.stallMs.toFixed(1)} ms | ${(b.seconds / a.seconds).toFixed(2)}× |`,
  );
}
rmSync(DIR, { recursive: true, force: true });

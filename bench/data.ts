// Throughput of the data layer: generation per domain, shuffling per block size, writing and
// loading the binary dataset format. Run: npx tsx bench/data.ts [--quick]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.ts';
import { EMBEDDED_DOMAINS } from '../data/embedded/domain-params.ts';
import { generateDomain } from '../data/embedded/generate-domain.ts';
import { shuffleDataset } from '../data/shuffle/shuffle-dataset.ts';
import { blockSizesForSide } from '../data/shuffle/shuffle-spec.ts';
import { openDatasetFile, readDatasetFile, writeDatasetFile } from '../data/storage/dataset-file.ts';

const quick = process.argv.includes('--quick');
const GENERATE = quick ? 1000 : 4000;
const SHUFFLE = quick ? 5000 : 20000;
const STORE = quick ? 20000 : 100000;

interface Row {
  what: string;
  images: number;
  seconds: number;
}
const rows: Row[] = [];

/** best of `repeats` timings (the machine is shared; the best run is the least disturbed one) */
function time(what: string, images: number, fn: () => void, repeats = 2): void {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  rows.push({ what, images, seconds: best });
  process.stderr.write(`${what}: ${(images / best).toFixed(0)} images/s\n`);
}

for (const domain of EMBEDDED_DOMAINS) {
  const classes = domain === 'xray' ? 5 : 20;
  const count = Math.round(GENERATE / classes) * classes;
  generateDomain({ domain, split: 'train', count: classes * 10 }); // warm-up (JIT)
  time(`generate ${domain} 32x32x3`, count, () => generateDomain({ domain, split: 'train', count }));
}

const pixels = (count: number): Dataset => {
  const images = new Uint8Array(count * 3072);
  let s = 1;
  for (let i = 0; i < images.length; i += 4) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    images[i] = s;
    images[i + 1] = s >>> 8;
    images[i + 2] = s >>> 16;
    images[i + 3] = s >>> 24;
  }
  return {
    header: {
      domain: 'bench',
      split: 'train',
      classes: ['a', 'b'],
      count,
      height: 32,
      width: 32,
      channels: 3,
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      provenance: {},
    },
    images,
    labels: Uint16Array.from({ length: count }, (_, i) => i % 2),
  };
};

const toShuffle = pixels(SHUFFLE);
for (const b of blockSizesForSide(32)) {
  // seed 1235: with 1234 NumPy's permutation of the 4 blocks of size 16 is the identity (a plain copy)
  time(`shuffle block ${b} 32x32x3`, SHUFFLE, () => shuffleDataset(toShuffle, { blockSize: b, seed: 1235 }));
}

const dir = mkdtempSync(join(tmpdir(), 'wt-bench-data-'));
try {
  const big = pixels(STORE);
  const file = join(dir, 'bench.wtds');
  time(`write .wtds (${STORE} images)`, STORE, () => writeDatasetFile(file, big));
  const mb = statSync(file).size / 1e6;
  time(`load .wtds whole (${STORE} images, ${mb.toFixed(0)} MB)`, STORE, () => {
    const ds = readDatasetFile(file);
    if (ds.header.count !== STORE) throw new Error('bad count');
  });
  time(`stream .wtds in batches of 256`, STORE, () => {
    const reader = openDatasetFile(file);
    for (let i = 0; i < STORE; i += 256) reader.readImages(i, Math.min(256, STORE - i));
    reader.close();
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const w = Math.max(...rows.map((r) => r.what.length));
console.log(`| ${'operation'.padEnd(w)} | images | seconds | images/s |`);
console.log(`| ${'-'.repeat(w)} | -----: | ------: | -------: |`);
for (const r of rows) {
  console.log(
    `| ${r.what.padEnd(w)} | ${String(r.images).padStart(6)} | ${r.seconds.toFixed(3).padStart(7)} | ${Math.round(r.images / r.seconds)
      .toLocaleString('en-US')
      .padStart(8)} |`,
  );
}

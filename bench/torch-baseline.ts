// The PyTorch rows of bench/train.ts: the same Fixup ResNet and step in PyTorch
// (bench/torch_reference.py), run by every Python that has torch. Current PyTorch comes from
// WT_TORCH_PYTHON (or --torch-python), e.g. a venv made by torch-venv.sh; Debian's python3-torch
// (1.13) from /usr/bin/python3. The baseline for ratios is current PyTorch with 2 threads when
// there is one, else Debian's, and the table says which.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface TorchPython {
  python: string;
  version: string;
  /** PyTorch 2.x or later */
  current: boolean;
}

export interface TorchResult {
  other_cores: number | null;
  torch: string;
  threads: number;
  train_samples_per_s: number;
  infer_samples_per_s: number;
}

const DEBIAN_PYTHON = '/usr/bin/python3';

function torchVersion(python: string): string | undefined {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Every interpreter to measure, current PyTorch first; `notes` says what was looked for and not found. */
export function torchPythons(flag: string | undefined, notes: string[]): TorchPython[] {
  const out: TorchPython[] = [];
  const wanted = flag ?? process.env.WT_TORCH_PYTHON;
  for (const python of [...(wanted ? [wanted] : []), DEBIAN_PYTHON]) {
    if (out.some((p) => p.python === python)) continue;
    const version = torchVersion(python);
    if (!version) {
      notes.push(
        python === DEBIAN_PYTHON
          ? `${python} has no torch (apt-get install python3-torch)`
          : `${python} (WT_TORCH_PYTHON) cannot import torch`,
      );
      continue;
    }
    out.push({ python, version, current: Number(version.split('.')[0]) >= 2 });
  }
  if (!out.some((p) => p.current))
    notes.push('no PyTorch 2.x: set WT_TORCH_PYTHON to a Python that has it (../shared/tools/torch-venv.sh DIR makes one)');
  return out.sort((a, b) => Number(b.current) - Number(a.current));
}

export function torchReference(
  py: TorchPython,
  threads: number,
  shape: { size: number; batch: number },
  seconds: number,
): TorchResult | undefined {
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  const r = spawnSync(
    py.python,
    [
      script,
      '--batch',
      String(shape.batch),
      '--threads',
      String(threads),
      '--seconds',
      String(seconds / 2),
      '--height',
      String(shape.size),
      '--width',
      String(shape.size),
      '--channels',
      '3',
      '--classes',
      '10',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    console.log(`torch reference (${py.python}) failed: ${r.stderr.trim().split('\n').at(-1)}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

/** The ratio baseline among one shape's runs: current PyTorch with 2 threads, else the first 2-thread run. */
export function baselineOf(runs: readonly (TorchResult & { current: boolean })[]): (TorchResult & { current: boolean }) | undefined {
  return runs.find((r) => r.current && r.threads === 2) ?? runs.find((r) => r.threads === 2);
}

export interface TargetRow {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function printTargets(rows: readonly TargetRow[]): void {
  console.log('\n| target | measured | met |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.target} | ${r.measured} | ${r.met === undefined ? 'not measured' : r.met ? 'yes' : 'NO'} |`);
}

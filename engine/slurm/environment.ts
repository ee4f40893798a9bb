// What a Slurm job's environment may hold. sbatch's default (`--export=ALL`) hands the job the
// submitting shell's whole environment — cache tokens included — and a job's environment is
// visible to the cluster's admins and to anything the job runs. So jobs get an explicit list:
// what node and tsx need to start, the WT_* variables the worker reads, and the env variables the
// stage declares (they are part of its fingerprint, so the worker must see the submitter's value).
// A remote's token variable (`tokenEnv` in the runner config) and anything named like a secret
// never go, even if a stage declared it; sbatch itself runs without them too, so an
// `--export=ALL` in extraArgs cannot bring them back.
import { join } from 'node:path';
import { loadRunnerConfig } from '../runner-config.ts';

/** What node, tsx and the shell need to start the worker. */
const BASE = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'LD_LIBRARY_PATH'];
const NODE = ['NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'NODE_NO_WARNINGS', 'TSX_TSCONFIG_PATH', 'TSX_DISABLE_CACHE'];
/** read by the worker and the code it runs (grep process.env / env. in ml/, data/, engine/) */
const WORKER = [
  'WT_BACKEND',
  'WT_PARENT_RUNNER',
  'WT_DATA_PACKAGES',
  'WT_NATIVE',
  'WT_NATIVE_ADDON',
  'WT_NATIVE_ISA',
  'WT_NATIVE_KERNELS',
  'WT_THREADS',
  'TF_NUM_INTRAOP_THREADS',
  'OMP_NUM_THREADS',
];
export const EXPORTED_ALWAYS: readonly string[] = [...BASE, ...NODE, ...WORKER];

const SECRET_LIKE = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY|AUTH/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names of the variables holding remote-cache tokens, from the runner config the CLI reads. */
export function configuredTokenNames(projectRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const config = loadRunnerConfig(env.WT_CONFIG || join(projectRoot, 'what-transfers.config.json'));
    return Object.values(config.remotes).flatMap((r) => (r.type === 'http' && r.tokenEnv ? [r.tokenEnv] : []));
  } catch {
    return []; // the CLI already reported a broken config; the name patterns below still apply
  }
}

export function isSecretName(name: string, secrets: ReadonlySet<string>): boolean {
  return secrets.has(name) || SECRET_LIKE.test(name);
}

/**
 * The `--export=` list for a job: names only (sbatch copies their values from its own
 * environment, so no value is ever parsed out of a comma-separated list), set ones only.
 * `skipped` lists stage-declared names refused as secrets or as malformed.
 */
export function exportList(
  stageEnv: Iterable<string>,
  secrets: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): { names: string[]; skipped: string[] } {
  const names = new Set<string>();
  const skipped: string[] = [];
  for (const n of EXPORTED_ALWAYS) if (env[n] !== undefined && !secrets.has(n)) names.add(n);
  for (const n of stageEnv) {
    if (!ENV_NAME.test(n) || isSecretName(n, secrets)) skipped.push(n);
    else if (env[n] !== undefined) names.add(n);
  }
  return { names: [...names].sort(), skipped };
}

/** The `--export` argument: the listed names, or NONE (Slurm's SLURM_* only) if none is set. */
export function exportArg(names: readonly string[]): string {
  return `--export=${names.length ? names.join(',') : 'NONE'}`;
}

/** sbatch's own environment: ours without secrets (Slurm's own SBATCH_ and SLURM_ settings stay). */
export function sbatchEnvironment(secrets: ReadonlySet<string>, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isSecretName(k, secrets)) out[k] = v;
  // SBATCH_EXPORT would not override our --export, but say so explicitly.
  delete out.SBATCH_EXPORT;
  return out;
}

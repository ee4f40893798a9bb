// Whether the store is somewhere compute nodes can see it.
import { execFileSync } from 'node:child_process';

const SHARED_FS =
  /^(nfs|nfs4|lustre|gpfs|beegfs|cifs|smb3|ceph|fuse\.ceph|glusterfs|fuse\.glusterfs|panfs|wekafs|fuse\.sshfs|9p|virtiofs)$/;

/** A warning when the store looks local to this machine (compute nodes would not see it). */
export function sharedStoreProblem(store: string): string | undefined {
  let fstype = '';
  try {
    fstype = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', store], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  if (SHARED_FS.test(fstype)) return undefined;
  return (
    `The store ${store} is on a ${fstype || 'local'} filesystem, which looks local to this machine: Slurm jobs on other nodes ` +
    `cannot read or commit entries there. That is fine on a single-node cluster; otherwise put the store on a shared filesystem (--store /shared/path or WT_STORE).`
  );
}

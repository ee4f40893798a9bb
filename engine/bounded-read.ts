// Reading a file someone else may have planted (a shared store, a committed lock file): only a
// regular file, never more than `maxBytes` (a FIFO or /dev/zero cannot hang or fill memory), and,
// unless allowed, not through a symlink.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export function readSmallRegularFile(path: string, maxBytes: number, opts: { followSymlinks: boolean }): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (opts.followSymlinks ? 0 : constants.O_NOFOLLOW));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('is not a regular file');
    if (st.size > maxBytes) throw new Error(`is larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r <= 0) break;
      n += r;
    }
    if (n > maxBytes) throw new Error(`is larger than ${maxBytes} bytes`);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

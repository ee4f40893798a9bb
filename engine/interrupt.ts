// Ctrl-C for the commands that are not builds (cache push/pull, verify, gc). They commit whole
// entries by rename and leave only staging folders behind, which the next run removes, so
// stopping at once is safe; the message says so and the exit code is 130 like a build's.
export async function stopOnSignal<T>(what: string, work: () => Promise<T>): Promise<T> {
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(
      `\n${sig}: ${what} stopped. Nothing half-written is kept: entries are committed whole, and leftovers in staging/ are removed by the next run.\n`,
    );
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** After a build's own clean stop, a process still held open (e.g. by a hung network mount) is made to exit. */
export function exitAfterGrace(code: number, ms = 3000): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), ms).unref();
}

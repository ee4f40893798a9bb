// Errors the CLI turns into exit codes: UsageError → 2 (bad usage, config or params),
// StageFailedError → 1. Messages are written for the person at the terminal: one paragraph that
// names the file/stage/key and says what to do.

export class UsageError extends Error {
  override name = 'UsageError';
}

export class StageFailedError extends Error {
  override name = 'StageFailedError';
}

/** A store entry whose bytes no longer match its manifest. */
export class CorruptEntryError extends Error {
  override name = 'CorruptEntryError';
  constructor(
    message: string,
    readonly entryDir: string,
    readonly file: string,
  ) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

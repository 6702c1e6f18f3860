// Errors that commands throw to steer the one command error handler (commands/commandErrors.ts),
// and the text of any thrown value. No `vscode` import: the session and pickers throw these too.

/** The user dismissed a picker or input: the command stops silently. */
export class UserCancelledError extends Error {
  constructor() {
    super('Cancelled by the user');
    this.name = 'UserCancelledError';
  }
}

export interface ErrorAction {
  title: string;
  run(): unknown;
}

/** A problem worth telling the user in one line as it is; `actions` become message buttons. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly actions: ErrorAction[] = [],
    /** A warning rather than an error: nothing failed, the command just cannot apply. */
    readonly severity: 'error' | 'warning' = 'error',
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function isCancellation(err: unknown): boolean {
  if (err instanceof UserCancelledError) return true;
  // vscode.CancellationError and DOM AbortError both identify themselves by name.
  return err instanceof Error && (err.name === 'Canceled' || err.name === 'AbortError');
}


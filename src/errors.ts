// The one error type of mnist-lab: a stable code, a process exit code and a hint that says how to fix it.

/** Stable error codes; the server maps them to HTTP statuses and the CLI to exit codes. */
export type LabErrorCode =
  | 'DATA_NOT_FOUND'
  | 'BAD_DATA_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'DOWNLOAD_FAILED'
  | 'UNKNOWN_PRESET'
  | 'BAD_ARGUMENT'
  | 'FONT_MISSING'
  | 'BAD_INPUT'
  | 'OUTPUT_EXISTS'
  | 'RUN_INCOMPLETE'
  | 'BAD_RUN_FILE'
  | 'BAD_LAB_FILE'
  | 'MODEL_NOT_FOUND'
  | 'BAD_MODEL_FILE'
  | 'RUN_NOT_FOUND'
  | 'NATIVE_FAILURE'
  | 'INTERRUPTED'
  | 'WORKER_FAILED';

export interface LabErrorOptions {
  /** How to fix it, shown after the message. */
  hint?: string;
  /** Process exit code for the CLI (default 2: bad usage or bad input). */
  exitCode?: number;
  cause?: unknown;
}

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: LabErrorCode, message: string, options: LabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }

  /** Message plus hint, as the CLI prints it. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** Error for a bad flag or option: names the argument, the rule and the value received. */
export function badArgument(name: string, rule: string, value: unknown, hint?: string): LabError {
  return new LabError('BAD_ARGUMENT', `${name} must be ${rule}; got ${JSON.stringify(value)}`, { hint });
}

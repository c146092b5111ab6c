import { defaultFix, type ErrorCode } from './codes';

/** Where an error points: the file and position, and the component and property concerned. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  col?: number;
  component?: string;
  property?: string;
}

/**
 * The one error type Flowcast throws on purpose. `message` is the whole sentence an operator reads,
 * including the fix, so nothing needs to be pieced together where it is printed.
 */
export class FlowcastError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly fix: string;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, reason: string, options: { fix?: string; location?: ErrorLocation; cause?: unknown } = {}) {
    const fix = options.fix ?? defaultFix(code);
    super(`${code}: ${reason}. Fix: ${fix}`, { cause: options.cause });
    this.name = 'FlowcastError';
    this.code = code;
    this.reason = reason;
    this.fix = fix;
    this.location = options.location ?? {};
  }
}

export function isFlowcastError(value: unknown): value is FlowcastError {
  return value instanceof Error && value.name === 'FlowcastError' && 'code' in value;
}

/** Base class of every error semiflow throws on purpose. */
export class SemiflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape, rank or axis does not fit what an op or layer expects. */
export class ShapeError extends SemiflowError {}

/** A value is out of its domain: NaN, a negative size, an index out of range. */
export class ValueError extends SemiflowError {}

/** An option or name is unknown or inconsistent. */
export class ConfigError extends SemiflowError {}

/** A tensor would need more bytes than the memory budget (setMemoryBudget); refused before any allocation. */
export class MemoryBudgetError extends SemiflowError {}

/**
 * The file system refused a save or a load: a path that is a file, a directory without write permission, a disk
 * that is full, another save holding the directory. The message names the model's directory, the operation and the
 * reason; the operating system's error, if any, is `cause`.
 */
export class FileError extends SemiflowError {
  constructor(message: string, readonly dir: string, readonly operation: 'save' | 'load', options?: { cause?: unknown }) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A collective operation of distributed training failed: a rank died, never joined, timed out, or left the group.
 * The message names the rank, the operation and the reason.
 */
export class DistributedError extends SemiflowError {}

/** A gradient failed its numeric check, or a vjp rule returned a wrongly shaped gradient. */
export class GradientError extends SemiflowError {}

/** Where a NumericsError arose: the primitive (or optimizer update), the layer, loss or optimizer that called it, and the pass. */
export interface NumericsDetails {
  prim: string;
  site: string | undefined;
  phase: 'forward' | 'backward' | 'update';
}

/** With debugNumerics on: a primitive produced a NaN or ±Infinity. */
export class NumericsError extends SemiflowError {
  readonly details: NumericsDetails | undefined;

  constructor(message: string, details?: NumericsDetails) {
    super(message);
    this.details = details;
  }
}

/** Formats a shape the way every message prints it: [2,3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** How a message names a value of the wrong kind: its type, and the value itself when it is short. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`.slice(0, 60);
}

/** The same error with `who: ` in front, so a failure deep in a call says where it started; already-named errors pass through. */
export function prefixError(error: unknown, who: string): unknown {
  if (!(error instanceof SemiflowError) || error.message.startsWith(`${who}:`)) return error;
  const Kind = error.constructor as new (message: string) => SemiflowError;
  const named = Object.assign(new Kind(`${who}: ${error.message}`), error);
  named.stack = error.stack;
  return named;
}

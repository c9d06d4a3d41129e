import { LoadAbort } from "./result.js";

export const DEFAULT_MAX_ROW_BYTES = 1024 ** 2;
export const DEFAULT_MAX_BYTES = 64 * 1024 ** 2;

export interface ByteLimits {
  /** DATASOURCE_MAX_ROW_BYTES: the largest single row. */
  maxRowBytes: number;
  /** DATASOURCE_MAX_BYTES: everything one load may receive. */
  maxBytes: number;
}

/** `8 MiB`, `1.5 MiB`, `512 KiB`, `117 B`: sizes in messages, in the units limits are set in. */
export function formatMiB(bytes: number): string {
  const round = (n: number) =>
    String(n >= 10 ? Math.round(n) : Math.round(n * 10) / 10);
  if (bytes >= 1024 ** 2) {
    return `${round(bytes / 1024 ** 2)} MiB`;
  }
  return bytes >= 1024 ? `${round(bytes / 1024)} KiB` : `${bytes} B`;
}

export function rowTooLarge(
  rowNumber: number,
  bytes: number,
  limits: ByteLimits,
  atLeast = false,
): LoadAbort {
  return new LoadAbort(
    "too_many_bytes",
    `row ${rowNumber} is ${atLeast ? "at least " : ""}${formatMiB(bytes)}, over the ${formatMiB(limits.maxRowBytes)} row limit (DATASOURCE_MAX_ROW_BYTES); select fewer or shorter columns`,
  );
}

export function runTooLarge(
  bytes: number,
  limits: ByteLimits,
  where: string,
): LoadAbort {
  return new LoadAbort(
    "too_many_bytes",
    `the data source sent ${formatMiB(bytes)} ${where}, over the ${formatMiB(limits.maxBytes)} per-run limit (DATASOURCE_MAX_BYTES); narrow the query or window, or raise the limit`,
  );
}

/**
 * Counts what a load received against both limits. `receive` is called as bytes
 * arrive (before a driver buffers a whole row), so an oversized answer is stopped
 * while it is still on the wire. The first violation is kept: the loader breaks the
 * connection off and reports it instead of the driver's error.
 */
export class ByteBudget {
  readonly limits: ByteLimits;
  received = 0;
  failure: LoadAbort | null = null;

  constructor(limits: ByteLimits) {
    this.limits = limits;
  }

  /** One row of `bytes` announced on the wire; false once a limit is crossed. */
  receiveRow(rowNumber: number, bytes: number, atLeast = false): boolean {
    if (this.failure !== null) {
      return false;
    }
    if (bytes > this.limits.maxRowBytes) {
      this.failure = rowTooLarge(rowNumber, bytes, this.limits, atLeast);
      return false;
    }
    return this.receive(bytes, `by row ${rowNumber}`);
  }

  /** Bytes that are not a row of their own (an HTTP body, protocol framing). */
  receive(bytes: number, where: string): boolean {
    if (this.failure !== null) {
      return false;
    }
    this.received += bytes;
    if (this.received > this.limits.maxBytes) {
      this.failure = runTooLarge(this.received, this.limits, where);
      return false;
    }
    return true;
  }

  get remaining(): number {
    return Math.max(0, this.limits.maxBytes - this.received);
  }
}

import type { CapturedOutput } from "./types.js";

export interface StreamCapture {
  push(chunk: Buffer): void;
  finish(): CapturedOutput;
}

/**
 * Keeps the first `limitBytes / 2` and the last `limitBytes / 2` bytes of a stream and counts the
 * rest, so a child printing 200 MB costs the parent at most `limitBytes` of memory.
 */
export function createStreamCapture(limitBytes: number): StreamCapture {
  const headLimit = Math.ceil(limitBytes / 2);
  const tailLimit = Math.floor(limitBytes / 2);
  const head: Buffer[] = [];
  let headBytes = 0;
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let totalBytes = 0;

  function push(chunk: Buffer): void {
    totalBytes += chunk.length;
    let rest = chunk;
    if (headBytes < headLimit) {
      const take = Math.min(headLimit - headBytes, rest.length);
      head.push(rest.subarray(0, take));
      headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || tailLimit === 0) {
      return;
    }
    // Copy the kept tail slice so the big chunk it came from can be garbage-collected.
    const kept =
      rest.length > tailLimit
        ? Buffer.from(rest.subarray(rest.length - tailLimit))
        : rest;
    tail.push(kept);
    tailBytes += kept.length;
    while (tail.length > 1 && tailBytes - tail[0]!.length >= tailLimit) {
      tailBytes -= tail.shift()!.length;
    }
  }

  function finish(): CapturedOutput {
    const truncated = totalBytes > limitBytes;
    if (!truncated) {
      return {
        head: Buffer.concat([...head, ...tail]).toString("utf8"),
        tail: "",
        totalBytes,
        truncated,
      };
    }
    const tailBuffer = Buffer.concat(tail);
    const lastBytes = tailBuffer.subarray(
      Math.max(0, tailBuffer.length - tailLimit),
    );
    return {
      head: Buffer.concat(head).toString("utf8"),
      tail: skipContinuationBytes(lastBytes).toString("utf8"),
      totalBytes,
      truncated,
    };
  }

  return { push, finish };
}

/** A tail cut mid-character would start with UTF-8 continuation bytes (10xxxxxx); drop up to 3. */
function skipContinuationBytes(buffer: Buffer): Buffer {
  let start = 0;
  while (
    start < 3 &&
    start < buffer.length &&
    (buffer[start]! & 0xc0) === 0x80
  ) {
    start += 1;
  }
  return buffer.subarray(start);
}

export interface ResultCapture {
  push(chunk: Buffer): void;
  finish(): { text: string; truncated: boolean };
}

/** Keeps the first `maxBytes` of the result channel; a longer result is marked truncated (and is useless). */
export function createResultCapture(maxBytes: number): ResultCapture {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  return {
    push(chunk) {
      const take = Math.min(maxBytes - kept, chunk.length);
      if (take < chunk.length) {
        truncated = true;
      }
      if (take > 0) {
        chunks.push(chunk.subarray(0, take));
        kept += take;
      }
    },
    finish() {
      return { text: Buffer.concat(chunks).toString("utf8"), truncated };
    },
  };
}

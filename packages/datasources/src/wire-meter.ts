import type { Socket } from "node:net";

/**
 * Reads only the framing of a database protocol off a socket another parser owns:
 * each message's type and length, reported as soon as its header arrives, so a limit
 * can be enforced before the driver has buffered the message's body.
 */
export interface WireFraming {
  headerBytes: number;
  /** Body length from a complete header (the bytes after the header). */
  bodyLength(header: Buffer): number;
}

/** PostgreSQL: a type byte, then a big-endian int32 length that counts itself. */
export const POSTGRES_FRAMING: WireFraming = {
  headerBytes: 5,
  bodyLength: (header) => header.readUInt32BE(1) - 4,
};

/** MySQL: a little-endian 3-byte payload length, then a sequence byte. */
export const MYSQL_FRAMING: WireFraming = {
  headerBytes: 4,
  bodyLength: (header) => header.readUIntLE(0, 3),
};

/**
 * Calls `onMessage(header, bodyLength)` for every message that starts after this call.
 * Attach only at a message boundary (after a request's answer was fully read).
 * Returns a detach function.
 */
export function meterMessages(
  socket: Socket,
  framing: WireFraming,
  onMessage: (header: Buffer, bodyLength: number) => void,
  /** Before the driver's parser (it has not seen the chunk yet) or after it (it has parsed what is complete). */
  order: "before-driver" | "after-driver",
): () => void {
  const header = Buffer.alloc(framing.headerBytes);
  let have = 0;
  let skip = 0;
  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(framing.headerBytes - have, chunk.length - i);
      chunk.copy(header, have, i, i + n);
      have += n;
      i += n;
      if (have === framing.headerBytes) {
        have = 0;
        skip = framing.bodyLength(header);
        onMessage(header, skip);
      }
    }
  };
  if (order === "before-driver") {
    socket.prependListener("data", onData);
  } else {
    socket.on("data", onData);
  }
  return () => socket.off("data", onData);
}

import { z } from "zod";

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/**
 * A size such as `1mb`, `512kb` or `1048576` (bytes), in the units express's body
 * parsers accept (1kb = 1024 bytes). Parsed to a number of bytes, which express also
 * accepts as `limit` and which callers can compare against Content-Length.
 */
export function envByteSize() {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text);
      if (match === null) {
        ctx.addIssue({
          code: "custom",
          message: "expected a size like 512kb, 1mb or a number of bytes",
        });
        return z.NEVER;
      }
      const unit = (match[2] ?? "b").toLowerCase();
      const bytes = Math.floor(Number(match[1]) * (UNIT_BYTES[unit] ?? 1));
      if (bytes < 1) {
        ctx.addIssue({
          code: "custom",
          message: "expected a size of at least 1 byte",
        });
        return z.NEVER;
      }
      return bytes;
    });
}

const MAX_DESCRIBED_LENGTH = 200;

function describeValue(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > MAX_DESCRIBED_LENGTH
    ? `${text.slice(0, MAX_DESCRIBED_LENGTH)}…`
    : text;
}

/** `instanceof` fails for errors from another realm (vm, worker); the tag does not. */
function isError(raw: unknown): raw is Error {
  return (
    raw instanceof Error ||
    Object.prototype.toString.call(raw) === "[object Error]"
  );
}

/**
 * Turns whatever was thrown into an `Error`, so catch sites can rely on `message`/`stack`:
 * `catch (raw) { const err = coerceError(raw); logger.error({ err }, "claim failed") }`.
 * Errors are returned as they are; an error-like object keeps its `message` and string
 * `code`; anything else becomes an Error describing the value. The original is the `cause`.
 */
export function coerceError(raw: unknown): Error {
  if (isError(raw)) {
    return raw;
  }
  if (typeof raw === "string") {
    return new Error(raw);
  }
  if (
    typeof raw === "object" &&
    raw !== null &&
    "message" in raw &&
    typeof raw.message === "string"
  ) {
    const err = new Error(raw.message, { cause: raw });
    if ("code" in raw && typeof raw.code === "string") {
      Object.assign(err, { code: raw.code });
    }
    return err;
  }
  return new Error(`non-error value thrown: ${describeValue(raw)}`, {
    cause: raw,
  });
}

/**
 * Replaces every secret value (and its URL-encoded form, and the password of a
 * connection URL) in `message` with `***`. Applied to every failure message, because
 * drivers echo connection strings and servers echo request details.
 */
export function scrubSecrets(
  message: string,
  secrets: readonly string[],
): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 3) {
      continue; // scrubbing "a" would mangle every message and hides nothing
    }
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    if (URL.canParse(secret)) {
      const url = new URL(secret);
      for (const part of [url.password, decodeURIComponent(url.password)]) {
        if (part.length >= 3) {
          needles.add(part);
        }
      }
    }
  }
  let out = message;
  // Longest first, so a URL is replaced whole before its password is.
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    out = out.split(needle).join("***");
  }
  return out;
}

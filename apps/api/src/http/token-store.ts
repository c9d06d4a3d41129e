import {
  findApiTokenByHash,
  touchApiToken,
  type ApiTokenRow,
  type Db,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

/** How long a lookup (found or not) is reused: a revoke reaches every replica within this. */
export const TOKEN_CACHE_MS = 5_000;
/** last_used_at is written at most this often per token and process (the SQL also holds it to a minute). */
const TOUCH_EVERY_MS = 60_000;
/** Bounds the cache when clients send many different unknown tokens. */
const MAX_CACHED = 10_000;

export interface TokenStore {
  /** The api_tokens row with this hex SHA-256 of its secret, revoked or not. */
  find(secretHash: string): Promise<ApiTokenRow | undefined>;
  /** Notes a use; writes last_used_at in the background, at most once a minute. */
  used(name: string): void;
  /** Drops a token from this process's cache (after this process revoked it). */
  forget(name: string): void;
}

export interface TokenStoreOptions {
  db: Db;
  logger: Logger;
  /** @default TOKEN_CACHE_MS */
  cacheMs?: number;
}

/**
 * api_tokens lookups with a short per-process cache, so a busy dashboard costs one query per
 * token every few seconds rather than one per request. Revocations by another process (the
 * CLI, another replica) take effect when the entry expires.
 */
export function createTokenStore({
  db,
  logger,
  cacheMs = TOKEN_CACHE_MS,
}: TokenStoreOptions): TokenStore {
  const cache = new Map<
    string,
    { at: number; row: Promise<ApiTokenRow | undefined> }
  >();
  const touchedAt = new Map<string, number>();
  return {
    find(secretHash) {
      const now = Date.now();
      const hit = cache.get(secretHash);
      if (hit !== undefined && now - hit.at < cacheMs) {
        return hit.row;
      }
      cache.delete(secretHash);
      if (cache.size >= MAX_CACHED) {
        // the oldest insertion goes first (Map keeps insertion order)
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) {
          cache.delete(oldest);
        }
      }
      const row = findApiTokenByHash(db, secretHash);
      cache.set(secretHash, { at: now, row });
      // a failed lookup is not remembered: the next request asks the database again
      row.catch(() => cache.delete(secretHash));
      return row;
    },
    used(name) {
      const now = Date.now();
      const last = touchedAt.get(name);
      if (last !== undefined && now - last < TOUCH_EVERY_MS) {
        return;
      }
      touchedAt.set(name, now);
      touchApiToken(db, name).catch((err: unknown) =>
        logger.warn(
          { err, token: name },
          "recording a token's last use failed",
        ),
      );
    },
    forget(name) {
      for (const [key, entry] of cache) {
        void entry.row.then(
          (row) => {
            if (row?.name === name && cache.get(key) === entry) {
              cache.delete(key);
            }
          },
          () => undefined,
        );
      }
    },
  };
}

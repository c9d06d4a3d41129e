/**
 * A small least-recently-used map. Parsing a cron expression costs microseconds, but the
 * trigger-creator asks for 100,000 schedules per pass, most of which share a few hundred
 * expressions, so parses are kept by expression text.
 */
export interface LruCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  readonly size: number;
}

export function createLruCache<K, V>(capacity: number): LruCache<K, V> {
  // A Map iterates in insertion order; re-inserting on read moves a key to the young end.
  const entries = new Map<K, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) {
          entries.delete(oldest.value);
        }
      }
    },
    get size() {
      return entries.size;
    },
  };
}

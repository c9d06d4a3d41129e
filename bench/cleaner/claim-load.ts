import pg from "pg";

export interface Claim {
  /** Wall clock (ms since the epoch) when the claim was sent. */
  at: number;
  latencyMs: number;
}

export interface ClaimLoad {
  /** Stops the loops and returns every claim. */
  stop(): Promise<Claim[]>;
}

/**
 * The executor pool's hot statement, on its own connections: claim 10 due triggers with
 * FOR UPDATE SKIP LOCKED (timed), then hand them back to pending (not timed) so the pool of
 * due work never runs dry. `pauseMs` between cycles models executors that are busy running
 * detectors between claims.
 */
export async function startClaimLoad(
  url: string,
  { connections, pauseMs }: { connections: number; pauseMs: number },
): Promise<ClaimLoad> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({
        connectionString: url,
        application_name: "bench-claimer",
      });
      await c.connect();
      return c;
    }),
  );
  const claims: Claim[] = [];
  let running = true;
  const loop = async (c: pg.Client, workerId: string) => {
    while (running) {
      const at = Date.now();
      const started = performance.now();
      const { rows } = await c.query<{ id: string }>(
        `UPDATE triggers SET status = 'running', claimed_by = $1, claimed_at = now(),
                lease_expires_at = now() + interval '30 seconds', attempt = attempt + 1
         WHERE id IN (SELECT id FROM triggers WHERE status = 'pending' AND available_at <= now()
                      ORDER BY available_at LIMIT 10 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [workerId],
      );
      claims.push({ at, latencyMs: performance.now() - started });
      await c.query(
        `UPDATE triggers SET status = 'pending', claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL WHERE id = ANY($1::bigint[])`,
        [rows.map((r) => r.id)],
      );
      if (pauseMs > 0) {
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    }
  };
  const loops = clients.map((c, i) => loop(c, `bench-claimer-${i}`));
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.end()));
      return claims;
    },
  };
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return (
    sorted[
      Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
    ] ?? Number.NaN
  );
}

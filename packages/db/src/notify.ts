import pg from "pg";

/** NOTIFY channels. Messages are wake-up hints only: a lost one delays work, never loses it. */
export const CHANNELS = {
  triggers: "vigil_triggers",
  schedules: "vigil_schedules",
  outbox: "vigil_outbox",
  dryRuns: "vigil_dry_runs",
  dryRunAnswers: "vigil_dry_run_answers",
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

export interface ListenOptions {
  connectionString: string;
  channels: Channel[];
  onNotify: (channel: Channel, payload: string) => void;
  /** Called after every (re)connect: listeners should re-check for work they may have missed. */
  onConnected?: () => void;
  onError?: (err: Error) => void;
  /** @default 1000 */
  reconnectDelayMs?: number;
}

export interface Listener {
  stop(): Promise<void>;
}

/**
 * LISTENs on a dedicated connection and reconnects with backoff when it drops (e.g. a
 * PostgreSQL restart), so the process never dies of a lost connection.
 */
export function listenForNotifications(options: ListenOptions): Listener {
  let stopped = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = options.reconnectDelayMs ?? 1000;

  const scheduleReconnect = () => {
    if (stopped || retryTimer) {
      return;
    }
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 15_000);
  };

  const connect = async () => {
    const c = new pg.Client({
      connectionString: options.connectionString,
      application_name: "vigil-listen",
      keepAlive: true,
    });
    client = c;
    c.on("error", (err) => {
      options.onError?.(err);
      void c.end().catch(() => undefined);
      scheduleReconnect();
    });
    c.on("end", () => scheduleReconnect());
    c.on("notification", (msg) =>
      options.onNotify(msg.channel as Channel, msg.payload ?? ""),
    );
    try {
      await c.connect();
      for (const channel of options.channels) {
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      delay = options.reconnectDelayMs ?? 1000;
      if (stopped) {
        await c.end();
        return;
      }
      options.onConnected?.();
    } catch (err) {
      options.onError?.(err as Error);
      void c.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}

import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client.js";
import { Badge, Empty, Loaded, Section } from "../components/ui.js";
import { duration, percent, Time } from "../format.js";
import { href, Link } from "../router.js";

/** Live figures are polled at this pace: a finished run shows within about a poll. */
export const LIVE_MS = 2500;

export function Overview() {
  const status = useQuery({
    queryKey: ["status"],
    queryFn: () => unwrap(api.GET("/status")),
    refetchInterval: LIVE_MS,
  });
  const stats = useQuery({
    queryKey: ["stats", "24h"],
    queryFn: () => unwrap(api.GET("/stats")),
    refetchInterval: LIVE_MS,
  });
  const queue = useQuery({
    queryKey: ["queue"],
    queryFn: () =>
      unwrap(api.GET("/queue", { params: { query: { limit: 10 } } })),
    refetchInterval: LIVE_MS,
  });
  const failures = useQuery({
    queryKey: ["failures", "24h"],
    queryFn: () =>
      unwrap(api.GET("/failures", { params: { query: { limit: 10 } } })),
    refetchInterval: LIVE_MS,
  });
  const dead = useQuery({
    queryKey: ["reports", "dead"],
    queryFn: () =>
      unwrap(api.GET("/reports/dead", { params: { query: { limit: 10 } } })),
    refetchInterval: LIVE_MS * 4,
  });

  return (
    <>
      <h1>
        Overview{" "}
        {status.data !== undefined && <Badge status={status.data.status} />}
      </h1>
      <div className="grid">
        <Section title="Queue" id="queue">
          <Loaded query={status}>{(s) => <QueueFigures s={s} />}</Loaded>
        </Section>
        <Section title="Last 24 hours" id="stats">
          <Loaded query={stats}>{(s) => <StatsFigures s={s} />}</Loaded>
        </Section>
      </div>
      <Section title="Workers" id="workers">
        <Loaded query={status}>{(s) => <Workers s={s} />}</Loaded>
      </Section>
      <Section title="Recent failures (24 h)" id="failures">
        <Loaded query={failures}>{(f) => <Failures f={f} />}</Loaded>
      </Section>
      <div className="grid">
        <Section title="Skipped and missed runs (24 h)" id="skipped">
          <Loaded query={stats}>{(s) => <Skipped s={s} />}</Loaded>
        </Section>
        <Section title="Watchdog: silent schedules" id="watchdog">
          <Loaded query={status}>{(s) => <Watchdog s={s} />}</Loaded>
        </Section>
      </div>
      <Section title="Next runs" id="next-runs">
        <Loaded query={queue}>{(q) => <NextRuns q={q} />}</Loaded>
      </Section>
      <div className="grid">
        <Section title="Reports in dead letter" id="dead">
          <Loaded query={dead}>{(d) => <DeadLetters d={d} />}</Loaded>
        </Section>
        <Section title="Cleaner's last pass" id="cleaner">
          <Loaded query={status}>{(s) => <Cleaner s={s} />}</Loaded>
        </Section>
      </div>
    </>
  );
}

function Figure(props: {
  label: string;
  value: string | number;
  testId?: string;
}) {
  return (
    <div className="figure">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
    </div>
  );
}

function QueueFigures({ s }: { s: Schemas["Status"] }) {
  return (
    <dl className="figures">
      <Figure
        label="Running now"
        value={s.queue.running}
        testId="running-now"
      />
      <Figure label="Due" value={s.queue.due} />
      <Figure label="Pending" value={s.queue.pending} />
      <Figure
        label="Oldest due lag"
        value={duration(s.queue.oldest_due_lag_seconds * 1000)}
      />
    </dl>
  );
}

function StatsFigures({ s }: { s: Schemas["Stats"] }) {
  return (
    <dl className="figures">
      <Figure label="Executions" value={s.total} testId="executions-24h" />
      <Figure
        label="Success rate"
        value={percent(s.success_rate)}
        testId="success-rate-24h"
      />
      <Figure label="Succeeded" value={s.success} testId="succeeded-24h" />
      <Figure label="Failed" value={s.failed} />
      <Figure label="Timed out" value={s.timeout} />
      <Figure label="Lost" value={s.lost} />
      <Figure label="p50" value={duration(s.duration_ms.p50)} />
      <Figure label="p95" value={duration(s.duration_ms.p95)} />
      <Figure label="max" value={duration(s.duration_ms.max)} />
    </dl>
  );
}

function Workers({ s }: { s: Schemas["Status"] }) {
  const apps = Object.entries(s.apps).sort(([a], [b]) => a.localeCompare(b));
  if (apps.length === 0) {
    return <Empty>No live worker.</Empty>;
  }
  return (
    <>
      <dl className="figures">
        {apps.map(([app, a]) => (
          <Figure
            key={app}
            label={app}
            value={`${a.workers} live, ${a.running}/${a.concurrency} running`}
          />
        ))}
      </dl>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>App</th>
              <th>Worker</th>
              <th>Status</th>
              <th>Running</th>
              <th>Heartbeat</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {s.workers.map((w) => (
              <tr key={w.id}>
                <td>{w.app}</td>
                <td className="mono">{w.id}</td>
                <td>
                  <Badge status={w.status} />
                </td>
                <td>
                  {w.running}
                  {w.concurrency === null ? "" : ` / ${w.concurrency}`}
                </td>
                <td title={new Date(w.last_heartbeat_at).toISOString()}>
                  {w.heartbeat_age_seconds.toFixed(0)} s ago
                </td>
                <td>{w.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const SKIP_REASONS: [keyof Schemas["Stats"]["skipped_runs"], string][] = [
  ["misfire", "misfire (after downtime)"],
  ["missed_deadline", "missed its starting deadline"],
  ["concurrency_forbid", "overlapped a running one (forbid)"],
  ["project_inactive", "project suspended"],
  ["other", "other"],
];

function Skipped({ s }: { s: Schemas["Stats"] }) {
  if (s.skipped_runs.total === 0) {
    return <Empty>No run was skipped.</Empty>;
  }
  return (
    <table>
      <tbody>
        {SKIP_REASONS.filter(([k]) => s.skipped_runs[k] > 0).map(
          ([k, label]) => (
            <tr key={k}>
              <th scope="row">{label}</th>
              <td>{s.skipped_runs[k]}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

function Watchdog({ s }: { s: Schemas["Status"] }) {
  const episodes = s.watchdog.open_episodes;
  if (episodes.length === 0) {
    return <Empty>Every schedule ran when expected.</Empty>;
  }
  return (
    <ul className="plain">
      {episodes.map((e) => (
        <li key={e.id}>
          <Badge status={e.reason} />{" "}
          <Link href={href({ page: "project", id: e.project_id })}>
            {e.project_name}
          </Link>{" "}
          since <Time iso={e.since} />: {e.detail}
        </li>
      ))}
    </ul>
  );
}

function Failures({ f }: { f: Schemas["FailureList"] }) {
  if (f.items.length === 0) {
    return <Empty>No run failed.</Empty>;
  }
  return (
    <div className="scroll">
      <table>
        <thead>
          <tr>
            <th>Execution</th>
            <th>Project</th>
            <th>Status</th>
            <th>Scheduled for</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {f.items.map((e) => (
            <tr key={e.id}>
              <td>
                <Link href={href({ page: "execution", id: e.id })}>{e.id}</Link>
              </td>
              <td>
                <Link href={href({ page: "project", id: e.project_id })}>
                  {e.project_id}
                </Link>
              </td>
              <td>
                <Badge status={e.status} />
              </td>
              <td>
                <Time iso={e.scheduled_for} />
              </td>
              <td className="mono wrap">
                {e.error_message ?? "no error recorded"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NextRuns({ q }: { q: Schemas["Queue"] }) {
  if (q.length === 0) {
    return <Empty>Nothing is scheduled.</Empty>;
  }
  return (
    <div className="scroll">
      <table>
        <thead>
          <tr>
            <th>Project</th>
            <th>When</th>
            <th>Source</th>
            <th>Schedule</th>
          </tr>
        </thead>
        <tbody>
          {q.map((t) => (
            <tr key={t.trigger_id}>
              <td>
                <Link href={href({ page: "project", id: t.project_id })}>
                  {t.project_name}
                </Link>
              </td>
              <td>
                <Time iso={t.next_run} />
              </td>
              <td>{t.source}</td>
              <td className="mono">
                {t.cron_expression ?? "–"}
                {t.timezone === null ? "" : ` (${t.timezone})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeadLetters({ d }: { d: Schemas["DeadLetterList"] }) {
  if (d.items.length === 0) {
    return <Empty>No report is in dead letter.</Empty>;
  }
  return (
    <ul className="plain">
      {d.items.map((r) => (
        <li key={r.id}>
          <Badge status={r.status} /> {r.kind} of{" "}
          <Link href={href({ page: "project", id: r.project_id })}>
            {r.project_id}
          </Link>
          {r.execution_id !== null && (
            <>
              {" "}
              (
              <Link href={href({ page: "execution", id: r.execution_id })}>
                execution {r.execution_id}
              </Link>
              )
            </>
          )}{" "}
          to {r.channel.name} after {r.attempts} attempts:{" "}
          <span className="mono">{r.last_error ?? "no error recorded"}</span>
        </li>
      ))}
    </ul>
  );
}

function Cleaner({ s }: { s: Schemas["Status"] }) {
  const c = s.last_cleanup;
  if (c === null) {
    return <Empty>The cleaner has not run yet.</Empty>;
  }
  const pruned = Object.entries(c.pruned).filter(([, n]) => n > 0);
  return (
    <>
      <p>
        <Time iso={c.finished_at} /> in {duration(c.duration_ms)}
        {c.error === null ? (
          ""
        ) : (
          <>
            {" "}
            <Badge status="failed" /> <span className="mono">{c.error}</span>
          </>
        )}
      </p>
      <p>
        {pruned.length === 0
          ? "Nothing to prune."
          : `Pruned ${pruned.map(([k, n]) => `${n} ${k}`).join(", ")}.`}
      </p>
    </>
  );
}

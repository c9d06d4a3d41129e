import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client.js";
import { bearer, useWrite, WriteError } from "../auth.js";
import { Badge, Empty, Loaded, MoreButton, Section } from "../components/ui.js";
import { duration, Time } from "../format.js";
import { href, Link } from "../router.js";
import { LIVE_MS } from "./Overview.js";

const FINISHED = [
  "success",
  "partial",
  "failed",
  "cancelled",
  "timeout",
  "lost",
];

export function Execution({ id }: { id: number }) {
  const execution = useQuery({
    queryKey: ["execution", id],
    queryFn: () =>
      unwrap(
        api.GET("/executions/{id}", {
          params: { path: { id: String(id) }, query: { findings_limit: 500 } },
        }),
      ),
    // a running execution is followed until it finishes
    refetchInterval: (q) =>
      q.state.data !== undefined && FINISHED.includes(q.state.data.status)
        ? false
        : LIVE_MS,
  });
  return (
    <Loaded query={execution}>
      {(e) => (
        <>
          <h1>
            Execution {e.id} <Badge status={e.status} />
          </h1>
          <p>
            <Link href={href({ page: "project", id: e.project_id })}>
              {e.project_id}
            </Link>{" "}
            · {e.source} · attempt {e.attempt}
            {e.worker_id === null ? "" : ` · on ${e.worker_id}`}
            {e.replay_of !== null && (
              <>
                {" "}
                · replay of{" "}
                <Link href={href({ page: "execution", id: e.replay_of })}>
                  execution {e.replay_of}
                </Link>
              </>
            )}
          </p>
          <Replay e={e} />
          {e.error_message !== null && (
            <p className="error" role="status">
              {e.error_message}
            </p>
          )}
          <Timing e={e} />
          <RuleResults
            results={e.rule_results}
            findings={e.findings_has_more ? undefined : e.findings}
          />
          <Findings e={e} />
          <Section title="Output" id="output">
            <h3>
              stdout
              {e.stdout_bytes === null
                ? ""
                : ` (${e.stdout_bytes} bytes, tail)`}
            </h3>
            {e.stdout_tail === null || e.stdout_tail === "" ? (
              <Empty>empty</Empty>
            ) : (
              <pre data-testid="stdout">{e.stdout_tail}</pre>
            )}
            <h3>
              stderr
              {e.stderr_bytes === null
                ? ""
                : ` (${e.stderr_bytes} bytes, tail)`}
            </h3>
            {e.stderr_tail === null || e.stderr_tail === "" ? (
              <Empty>empty</Empty>
            ) : (
              <pre data-testid="stderr">{e.stderr_tail}</pre>
            )}
          </Section>
          <Deliveries id={e.id} />
        </>
      )}
    </Loaded>
  );
}

function lagMs(e: Schemas["ExecutionDetail"]): number | null {
  return e.started_at === null
    ? null
    : new Date(e.started_at).getTime() - new Date(e.scheduled_for).getTime();
}

function Timing({ e }: { e: Schemas["ExecutionDetail"] }) {
  return (
    <section className="card">
      <dl className="figures">
        <div className="figure">
          <dt>Scheduled for</dt>
          <dd>
            <Time iso={e.scheduled_for} />
          </dd>
        </div>
        <div className="figure">
          <dt>Started</dt>
          <dd>
            <Time iso={e.started_at} />
          </dd>
        </div>
        <div className="figure">
          <dt>Finished</dt>
          <dd>
            <Time iso={e.finished_at} />
          </dd>
        </div>
        <div className="figure">
          <dt>Start lag</dt>
          <dd>{duration(lagMs(e))}</dd>
        </div>
        <div className="figure">
          <dt>Duration</dt>
          <dd>{duration(e.duration_ms)}</dd>
        </div>
        <div className="figure">
          <dt>Window</dt>
          <dd>
            {e.window_start === null ? (
              "–"
            ) : (
              <>
                <Time iso={e.window_start} /> → <Time iso={e.window_end} />
              </>
            )}
          </dd>
        </div>
        <div className="figure">
          <dt>Rows read</dt>
          <dd data-testid="row-count">{e.row_count ?? "–"}</dd>
        </div>
        <div className="figure">
          <dt>Rules failed</dt>
          <dd>
            {e.rules_failed} of {e.rules_total}
          </dd>
        </div>
        <div className="figure">
          <dt>Exit</dt>
          <dd>
            {e.exit_code ?? "–"}
            {e.signal === null ? "" : ` (${e.signal})`}
          </dd>
        </div>
      </dl>
    </section>
  );
}

interface RuleResult {
  ruleId?: string;
  status?: string;
  durationMs?: number;
  error?: { message?: string };
  findings?: unknown[];
}

function RuleResults(props: {
  results: unknown[];
  /** All the execution's findings, when none were left out of the answer. */
  findings: Schemas["Finding"][] | undefined;
}) {
  const rows = props.results as RuleResult[];
  const found = (ruleId: string | undefined) =>
    props.findings?.filter((f) => f.rule_id === ruleId).length;
  return (
    <Section title="Rules" id="rule-results">
      {rows.length === 0 ? (
        <Empty>No rule result (the detector did not report).</Empty>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Rule</th>
                <th>Status</th>
                <th>Time</th>
                <th>Findings</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.ruleId ?? i}>
                  <td className="mono">{r.ruleId ?? "?"}</td>
                  <td>
                    <Badge
                      status={
                        r.status === "ok" ? "success" : (r.status ?? "unknown")
                      }
                    />
                  </td>
                  <td>{duration(r.durationMs)}</td>
                  <td>{r.findings?.length ?? found(r.ruleId) ?? "–"}</td>
                  <td className="mono">{r.error?.message ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

/** What this run did to a finding's discrepancy, in the words of the four marks. */
function markOf(change: string | undefined): string {
  switch (change) {
    case "new":
      return "new";
    case "reopened":
    case "unmuted":
      return "reopened";
    default:
      // escalated and severity_changed are seen-again findings whose severity moved
      return "still open";
  }
}

const GONE = new Set(["resolved", "expired"]);

function Findings({ e }: { e: Schemas["ExecutionDetail"] }) {
  const finished = FINISHED.includes(e.status);
  const changes = useInfiniteQuery({
    queryKey: ["changes", e.id],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/executions/{id}/changes", {
          params: {
            path: { id: String(e.id) },
            query: {
              limit: 1000,
              ...(pageParam !== undefined && { cursor: pageParam }),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // a run records its changes when it finishes
    enabled: finished,
  });
  const all = (changes.data?.pages ?? []).flatMap((p) => p.items);
  const byFingerprint = new Map(all.map((c) => [c.fingerprint, c]));
  const gone = all.filter((c) => GONE.has(c.change));
  const marked = finished && changes.data !== undefined;
  return (
    <Section title={`Findings (${e.findings_count})`} id="findings">
      {e.findings.length === 0 ? (
        <Empty>No finding.</Empty>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>This run</th>
                <th>Severity</th>
                <th>Rule</th>
                <th>Key</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {e.findings.map((f) => {
                const c = byFingerprint.get(f.fingerprint);
                return (
                  <tr key={f.id}>
                    <td>
                      {marked ? (
                        <>
                          <Badge status={markOf(c?.change)} />
                          {(c?.change === "escalated" ||
                            c?.change === "severity_changed") && (
                            <span className="flag"> {c.change}</span>
                          )}
                        </>
                      ) : (
                        <span className="muted">–</span>
                      )}
                    </td>
                    <td>
                      <Badge status={f.severity} />
                    </td>
                    <td className="mono">{f.rule_id}</td>
                    <td className="mono">
                      <Link
                        href={href({
                          page: "discrepancy",
                          projectId: e.project_id,
                          fingerprint: f.fingerprint,
                        })}
                      >
                        {f.finding_key}
                      </Link>
                    </td>
                    <td>{f.message}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {e.findings_has_more && (
        <p className="muted">
          Only the first {e.findings.length} findings are shown.
        </p>
      )}
      {e.findings_truncated > 0 && (
        <p className="flag" data-testid="findings-truncated">
          ⚠ {e.findings_truncated} more findings were dropped: the rules
          returned more than the project&apos;s max_findings_per_rule.
        </p>
      )}
      {gone.length > 0 && (
        <>
          <h3>Resolved by this run ({gone.length})</h3>
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th>This run</th>
                  <th>Rule</th>
                  <th>Key</th>
                  <th>Message</th>
                </tr>
              </thead>
              <tbody>
                {gone.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Badge status={c.change} />
                    </td>
                    <td className="mono">{c.rule_id}</td>
                    <td className="mono">
                      <Link
                        href={href({
                          page: "discrepancy",
                          projectId: e.project_id,
                          fingerprint: c.fingerprint,
                        })}
                      >
                        {c.finding_key}
                      </Link>
                    </td>
                    <td>{c.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <MoreButton {...changes} />
    </Section>
  );
}

function Deliveries({ id }: { id: number }) {
  const deliveries = useQuery({
    queryKey: ["deliveries", id],
    queryFn: () =>
      unwrap(
        api.GET("/executions/{id}/deliveries", {
          params: { path: { id: String(id) } },
        }),
      ),
    refetchInterval: LIVE_MS * 2,
  });
  return (
    <Section title="Report deliveries" id="deliveries">
      <Loaded query={deliveries}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty>No report or alert was sent for this execution.</Empty>
          ) : (
            <>
              {d.items.map((r) => (
                <div key={r.id}>
                  <h3>
                    {r.kind} to {r.channel.name} ({r.channel.kind}){" "}
                    <Badge status={r.status} />{" "}
                    <span className="muted">
                      attempt {r.attempts} of {r.max_attempts}
                    </span>
                  </h3>
                  {r.attempt_log.length > 0 && (
                    <table>
                      <thead>
                        <tr>
                          <th>Attempt</th>
                          <th>At</th>
                          <th>HTTP</th>
                          <th>Latency</th>
                          <th>Error</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.attempt_log.map((a) => (
                          <tr key={a.attempt}>
                            <td>{a.attempt}</td>
                            <td>
                              <Time iso={a.started_at} />
                            </td>
                            <td>{a.status_code ?? "–"}</td>
                            <td>{duration(a.latency_ms)}</td>
                            <td className="mono">{a.error ?? ""}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </div>
              ))}
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

/**
 * Replay: the same detector input again (the rules as they are now), as a new execution; the
 * API answers with its trigger, whose execution is looked up in the project's latest runs.
 */
function Replay({ e }: { e: Schemas["ExecutionDetail"] }) {
  const [triggerId, setTriggerId] = useState<number | null>(null);
  const write = useWrite({
    scope: "write",
    run: (token) =>
      unwrap(
        api.POST("/executions/{id}/replay", {
          params: { path: { id: String(e.id) } },
          headers: bearer(token),
        }),
      ),
    onDone: (r) => setTriggerId(r.id),
  });
  const made = useQuery({
    queryKey: ["replay-execution", triggerId],
    queryFn: async () => {
      const page = await unwrap(
        api.GET("/projects/{id}/executions", {
          params: { path: { id: e.project_id }, query: { limit: 20 } },
        }),
      );
      return page.items.find((x) => x.trigger_id === triggerId) ?? null;
    },
    enabled: triggerId !== null,
    refetchInterval: (q) =>
      q.state.data === null || q.state.data === undefined ? LIVE_MS : false,
  });
  if (!e.input.kept) {
    return (
      <p className="muted" data-testid="input-state">
        No replay: the input is not kept ({e.input.reason}). {e.input.message}
      </p>
    );
  }
  return (
    <div className="actions">
      <span className="muted" data-testid="input-state">
        Input kept: {e.input.row_count} rows.
      </span>{" "}
      <button
        type="button"
        onClick={write.start}
        disabled={write.mutation.isPending || triggerId !== null}
      >
        Replay on this input
      </button>
      {triggerId !== null && (
        <span role="status">
          {" "}
          Replay queued as trigger {triggerId}
          {made.data !== undefined && made.data !== null && (
            <>
              :{" "}
              <Link href={href({ page: "execution", id: made.data.id })}>
                execution {made.data.id}
              </Link>
            </>
          )}
          .
        </span>
      )}
      {write.prompt}
      <WriteError error={write.mutation.error} />
    </div>
  );
}

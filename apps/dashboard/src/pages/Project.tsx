import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client.js";
import { Code } from "../components/Code.js";
import { Backfill, SuspendResume } from "../components/ProjectActions.js";
import { RunNow } from "../components/RunNow.js";
import { Timeline } from "../components/Timeline.js";
import { TriageForm } from "../components/Triage.js";
import { Badge, Empty, Loaded, MoreButton, Section } from "../components/ui.js";
import { duration, percent, Time, utcText } from "../format.js";
import { href, Link } from "../router.js";
import { nextOffsetChange, wallClock } from "../tz.js";
import { LIVE_MS } from "./Overview.js";

/** How far ahead a DST change of a schedule's time zone is flagged. */
const DST_LOOKAHEAD_DAYS = 42;

export function Project({ id }: { id: string }) {
  const project = useQuery({
    queryKey: ["project", id],
    queryFn: () =>
      unwrap(api.GET("/projects/{id}", { params: { path: { id } } })),
    refetchInterval: LIVE_MS * 2,
  });
  return (
    <Loaded query={project}>
      {(p) => (
        <>
          <h1>
            {p.name} <Badge status={p.is_active ? "active" : "suspended"} />
          </h1>
          <p className="muted">
            <span className="mono">{p.id}</span> · version {p.version}
            {p.description === "" ? "" : ` · ${p.description}`}
          </p>
          <Summary p={p} />
          <Executions id={id} />
          <Section title="Schedules" id="schedules">
            <Schedules schedules={p.schedules} />
          </Section>
          <Discrepancies id={id} />
          <Rules id={id} />
        </>
      )}
    </Loaded>
  );
}

function Summary({ p }: { p: Schemas["ProjectDetail"] }) {
  const e = p.executions;
  return (
    <section className="card">
      <dl className="figures">
        <div className="figure">
          <dt>Last run</dt>
          <dd>
            {p.last_execution === null ? (
              "never"
            ) : (
              <Link href={href({ page: "execution", id: p.last_execution.id })}>
                <Badge status={p.last_execution.status} />
              </Link>
            )}
          </dd>
        </div>
        <div className="figure">
          <dt>Next run</dt>
          <dd>
            <Time iso={p.next_run} />
          </dd>
        </div>
        <div className="figure">
          <dt>Success rate (last {e.of_last})</dt>
          <dd>{percent(e.success_rate)}</dd>
        </div>
        <div className="figure">
          <dt>Failed / timed out / lost</dt>
          <dd>
            {e.failed} / {e.timeout} / {e.lost}
          </dd>
        </div>
      </dl>
      <div className="actions">
        <RunNow projectId={p.id} />
        <SuspendResume projectId={p.id} active={p.is_active} />
      </div>
      <Backfill projectId={p.id} />
    </section>
  );
}

function Schedules({
  schedules,
}: {
  schedules: Schemas["ScheduleWithNextRuns"][];
}) {
  if (schedules.length === 0) {
    return <Empty>No schedule: this project runs only when triggered.</Empty>;
  }
  return (
    <>
      {schedules.map((s) => {
        const change = nextOffsetChange(
          s.timezone,
          new Date(),
          DST_LOOKAHEAD_DAYS,
        );
        return (
          <div key={s.id} className="schedule">
            <h3>
              <span className="mono">{s.cron_expression}</span> in {s.timezone}{" "}
              <Badge status={s.is_active ? "active" : "suspended"} />
            </h3>
            <p className="muted">
              concurrency {s.concurrency_policy}, misfires {s.misfire_policy}
              {s.starting_deadline_seconds === null
                ? ""
                : `, starting deadline ${s.starting_deadline_seconds} s`}
            </p>
            {(s.problem ?? s.invalid_reason) !== null && (
              <p className="error">{s.problem ?? s.invalid_reason}</p>
            )}
            {change !== undefined && (
              <p className="flag" data-testid="dst-flag">
                ⚠ DST change: {s.timezone} goes from {change.from} to{" "}
                {change.to} on{" "}
                <time
                  dateTime={change.at.toISOString()}
                  title={utcText(change.at.toISOString())}
                >
                  {wallClock(change.at.toISOString(), s.timezone)}
                </time>
                ; check the fire times around it.
              </p>
            )}
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    <th>Next fire time (your time)</th>
                    <th>In {s.timezone}</th>
                    <th>UTC</th>
                  </tr>
                </thead>
                <tbody>
                  {s.next_runs.map((r) => (
                    <tr key={r}>
                      <td>
                        <Time iso={r} />
                      </td>
                      <td className="mono">{wallClock(r, s.timezone)}</td>
                      <td className="mono">{utcText(r)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </>
  );
}

function Executions({ id }: { id: string }) {
  const list = useInfiniteQuery({
    queryKey: ["executions", id],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/projects/{id}/executions", {
          params: {
            path: { id },
            query: {
              limit: 100,
              ...(pageParam !== undefined && { cursor: pageParam }),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: LIVE_MS * 2,
  });
  const rows = (list.data?.pages ?? []).flatMap((p) => p.items);
  return (
    <Section title="Executions" id="executions">
      <Loaded query={list}>
        {() => (
          <>
            <Timeline executions={rows} />
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Status</th>
                    <th>Scheduled for</th>
                    <th>Source</th>
                    <th>Duration</th>
                    <th>Rows</th>
                    <th>Findings</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, 200).map((e) => (
                    <tr key={e.id}>
                      <td>
                        <Link href={href({ page: "execution", id: e.id })}>
                          {e.id}
                        </Link>
                      </td>
                      <td>
                        <Badge status={e.status} />
                      </td>
                      <td>
                        <Time iso={e.scheduled_for} />
                      </td>
                      <td>{e.source}</td>
                      <td>{duration(e.duration_ms)}</td>
                      <td>{e.row_count ?? "–"}</td>
                      <td>{e.findings_count}</td>
                      <td className="mono">{e.error_message ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <MoreButton {...list} />
          </>
        )}
      </Loaded>
    </Section>
  );
}

function Discrepancies({ id }: { id: string }) {
  const list = useInfiniteQuery({
    queryKey: ["discrepancies", id, "unresolved"],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/projects/{id}/discrepancies", {
          params: {
            path: { id },
            query: {
              status: "open,acknowledged,muted",
              limit: 100,
              ...(pageParam !== undefined && { cursor: pageParam }),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: LIVE_MS * 2,
  });
  const rows = (list.data?.pages ?? []).flatMap((p) => p.items);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const chosen = rows.map((d) => d.fingerprint).filter((f) => selected.has(f));
  const toggle = (fingerprint: string) =>
    setSelected((before) => {
      const next = new Set(before);
      if (!next.delete(fingerprint)) {
        next.add(fingerprint);
      }
      return next;
    });
  const allChosen = rows.length > 0 && chosen.length === rows.length;
  return (
    <Section title="Open discrepancies" id="discrepancies">
      <Loaded query={list}>
        {() =>
          rows.length === 0 ? (
            <Empty>Nothing needs attention.</Empty>
          ) : (
            <div className="scroll">
              <table>
                <thead>
                  <tr>
                    <th>
                      <input
                        type="checkbox"
                        aria-label="Select all shown"
                        checked={allChosen}
                        onChange={() =>
                          setSelected(
                            allChosen
                              ? new Set()
                              : new Set(rows.map((d) => d.fingerprint)),
                          )
                        }
                      />
                    </th>
                    <th>Severity</th>
                    <th>Status</th>
                    <th>Rule</th>
                    <th>Key</th>
                    <th>Message</th>
                    <th>Seen</th>
                    <th>Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((d) => (
                    <tr key={d.fingerprint}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${d.rule_id} ${d.finding_key}`}
                          checked={selected.has(d.fingerprint)}
                          onChange={() => toggle(d.fingerprint)}
                        />
                      </td>
                      <td>
                        <Badge status={d.severity} />
                      </td>
                      <td>
                        <Badge status={d.status} />
                        {d.regressions > 0 && (
                          <span className="flag"> reopened</span>
                        )}
                        {d.assignee !== null && (
                          <div className="muted">→ {d.assignee}</div>
                        )}
                      </td>
                      <td className="mono">{d.rule_id}</td>
                      <td className="mono">
                        <Link
                          href={href({
                            page: "discrepancy",
                            projectId: id,
                            fingerprint: d.fingerprint,
                          })}
                        >
                          {d.finding_key}
                        </Link>
                      </td>
                      <td>{d.message}</td>
                      <td>{d.occurrences}×</td>
                      <td>
                        <Time iso={d.last_seen_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <MoreButton {...list} />
      {rows.length > 0 && (
        <TriageForm
          projectId={id}
          fingerprints={chosen}
          onDone={() => setSelected(new Set())}
        />
      )}
    </Section>
  );
}

function Rules({ id }: { id: string }) {
  const rules = useQuery({
    queryKey: ["rules", id],
    queryFn: () =>
      unwrap(api.GET("/projects/{id}/rules", { params: { path: { id } } })),
  });
  return (
    <Section title="Rules" id="rules">
      <Loaded query={rules}>
        {(list) =>
          list.length === 0 ? (
            <Empty>No rule.</Empty>
          ) : (
            <>
              {list.map((r) => (
                <details key={r.id} className="rule">
                  <summary>
                    <span className="mono">{r.rule_id}</span>{" "}
                    <Badge status={r.severity} />{" "}
                    {r.is_active ? "" : <Badge status="suspended" />}{" "}
                    {r.description}
                  </summary>
                  {r.explanation !== "" && <p>{r.explanation}</p>}
                  <Code code={r.code} label={`code of ${r.rule_id}`} />
                  <Link
                    href={href({
                      page: "rule",
                      projectId: id,
                      ruleId: r.rule_id,
                    })}
                  >
                    Edit and dry-run this rule
                  </Link>
                </details>
              ))}
            </>
          )
        }
      </Loaded>
    </Section>
  );
}

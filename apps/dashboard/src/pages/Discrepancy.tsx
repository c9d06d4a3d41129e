import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client.js";
import { TriageForm } from "../components/Triage.js";
import { Badge, Empty, Loaded, Section } from "../components/ui.js";
import { Time } from "../format.js";
import { href, Link } from "../router.js";
import { LIVE_MS } from "./Overview.js";

export function Discrepancy(props: { projectId: string; fingerprint: string }) {
  const detail = useQuery({
    queryKey: ["discrepancy", props.projectId, props.fingerprint],
    queryFn: () =>
      unwrap(
        api.GET("/projects/{id}/discrepancies/{fingerprint}", {
          params: {
            path: { id: props.projectId, fingerprint: props.fingerprint },
          },
        }),
      ),
    refetchInterval: LIVE_MS * 2,
  });
  return (
    <Loaded query={detail}>
      {({
        discrepancy: d,
        events,
        events_truncated,
        seen_in,
        seen_in_truncated,
      }) => (
        <>
          <h1>
            <span className="mono">{d.finding_key}</span>{" "}
            <Badge status={d.status} /> <Badge status={d.severity} />
          </h1>
          <p>
            <Link href={href({ page: "project", id: d.project_id })}>
              {d.project_id}
            </Link>{" "}
            · rule <span className="mono">{d.rule_id}</span>
            {d.row_key === null ? "" : ` · row ${d.row_key}`}
          </p>
          <p data-testid="discrepancy-message">{d.message}</p>
          <section className="card">
            <dl className="figures">
              <div className="figure">
                <dt>First seen</dt>
                <dd>
                  <Time iso={d.first_seen_at} />
                </dd>
              </div>
              <div className="figure">
                <dt>Last seen</dt>
                <dd>
                  <Time iso={d.last_seen_at} />
                </dd>
              </div>
              <div className="figure">
                <dt>Occurrences</dt>
                <dd>{d.occurrences}</dd>
              </div>
              <div className="figure">
                <dt>Reopened</dt>
                <dd>{d.regressions}×</dd>
              </div>
              <div className="figure">
                <dt>Assignee</dt>
                <dd>{d.assignee ?? "nobody"}</dd>
              </div>
              {d.muted_until !== null && (
                <div className="figure">
                  <dt>Muted until</dt>
                  <dd>
                    <Time iso={d.muted_until} />
                  </dd>
                </div>
              )}
            </dl>
            {d.status_reason !== null && <p>Reason: {d.status_reason}</p>}
            {d.note !== null && <p>Note: {d.note}</p>}
            <TriageForm
              projectId={d.project_id}
              fingerprints={[d.fingerprint]}
            />
          </section>
          <Section title="Data of its last occurrence" id="data">
            {d.data === undefined || d.data === null ? (
              <Empty>The rule attached no data.</Empty>
            ) : (
              <pre data-testid="discrepancy-data">
                {JSON.stringify(d.data, null, 2)}
              </pre>
            )}
          </Section>
          <Section title="Occurrences" id="occurrences">
            {seen_in.length === 0 ? (
              <Empty>No execution recorded it.</Empty>
            ) : (
              <div className="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>Execution</th>
                      <th>Scheduled for</th>
                      <th>Run</th>
                      <th>Severity</th>
                      <th>Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {seen_in.map((s) => (
                      <tr key={s.execution_id}>
                        <td>
                          <Link
                            href={href({
                              page: "execution",
                              id: s.execution_id,
                            })}
                          >
                            {s.execution_id}
                          </Link>
                        </td>
                        <td>
                          <Time iso={s.scheduled_for} />
                        </td>
                        <td>
                          <Badge status={s.status} />
                        </td>
                        <td>
                          <Badge status={s.severity} />
                        </td>
                        <td>{s.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {seen_in_truncated && (
              <p className="muted">Only the latest occurrences are shown.</p>
            )}
          </Section>
          <Section title="Events" id="events">
            {events.length === 0 ? (
              <Empty>No event.</Empty>
            ) : (
              <ul className="plain">
                {events.map((ev) => (
                  <li key={ev.id}>
                    <Time iso={ev.at} /> · <strong>{ev.actor}</strong> ·{" "}
                    {ev.change}: {ev.from_status ?? "–"} →{" "}
                    <Badge status={ev.to_status} />
                    {ev.reason === null ? "" : ` (${ev.reason})`}
                    {ev.execution_id !== null && (
                      <>
                        {" "}
                        in{" "}
                        <Link
                          href={href({
                            page: "execution",
                            id: ev.execution_id,
                          })}
                        >
                          execution {ev.execution_id}
                        </Link>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {events_truncated && (
              <p className="muted">Only the latest events are shown.</p>
            )}
          </Section>
        </>
      )}
    </Loaded>
  );
}

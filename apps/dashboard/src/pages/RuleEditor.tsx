import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";

import { api, unwrap, type Schemas } from "../api/client.js";
import { bearer, useWrite, WriteError } from "../auth.js";
import { highlight } from "../components/Code.js";
import { Badge, Empty, Loaded, Section } from "../components/ui.js";
import { duration, Time } from "../format.js";
import { parseRows, type RowFormat } from "../rows.js";
import { href, Link } from "../router.js";

type Input = "source" | "execution" | "rows";

export function RuleEditor(props: { projectId: string; ruleId: string }) {
  const rule = useQuery({
    queryKey: ["rule", props.projectId, props.ruleId],
    queryFn: () =>
      unwrap(
        api.GET("/projects/{id}/rules/{ruleId}", {
          params: { path: { id: props.projectId, ruleId: props.ruleId } },
        }),
      ),
    // the text being edited must not change under the cursor
    refetchOnWindowFocus: false,
  });
  return <Loaded query={rule}>{(r) => <Editor rule={r} />}</Loaded>;
}

function Editor({ rule }: { rule: Schemas["Rule"] }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState(rule.code);
  // what the API has: the code loaded, then the code saved
  const [stored, setStored] = useState(rule.code);
  const [input, setInput] = useState<Input>("source");
  const [executionId, setExecutionId] = useState("");
  const [rowsText, setRowsText] = useState("");
  const [format, setFormat] = useState<RowFormat>("json");
  const [inputError, setInputError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLPreElement>(null);
  // Esc then Tab leaves the editor instead of indenting
  const escaped = useRef(false);

  const dryRun = useWrite({
    scope: "write",
    run: (token) => {
      const body: Schemas["DryRunRequest"] = {
        rules: [{ ...ruleInput(rule), code }],
      };
      if (input === "execution") {
        body.execution_id = Number(executionId);
      } else if (input === "rows") {
        const parsed = parseRows(rowsText, format);
        // checked before the write starts, so this is a guard only
        body.rows = parsed.ok ? parsed.rows : [];
      }
      return unwrap(
        api.POST("/projects/{id}/dry-run", {
          params: { path: { id: rule.project_id } },
          body,
          headers: bearer(token),
        }),
      );
    },
  });
  const save = useWrite({
    scope: "write",
    run: (token) =>
      unwrap(
        api.PATCH("/projects/{id}/rules/{ruleId}", {
          params: { path: { id: rule.project_id, ruleId: rule.rule_id } },
          body: { code },
          headers: bearer(token),
        }),
      ),
    onDone: (saved) => {
      setStored(saved.code);
      queryClient.setQueryData(["rule", rule.project_id, rule.rule_id], saved);
      return queryClient.invalidateQueries({ queryKey: ["rules"] });
    },
  });

  const submit = () => {
    setInputError(null);
    if (input === "execution" && !/^[1-9]\d*$/.test(executionId)) {
      setInputError("Choose an execution whose input is kept.");
      return;
    }
    if (input === "rows") {
      const parsed = parseRows(rowsText, format);
      if (!parsed.ok) {
        setInputError(`Rows: ${parsed.error}`);
        return;
      }
    }
    dryRun.start();
  };
  const goTo = (line: number, column: number) => {
    const el = area.current;
    if (el === null) {
      return;
    }
    const lines = code.split("\n");
    const at =
      lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) +
      Math.max(column - 1, 0);
    el.focus();
    el.setSelectionRange(at, at);
  };
  const changed = code !== stored;

  return (
    <>
      <h1>
        Rule <span className="mono">{rule.rule_id}</span>{" "}
        <Badge status={rule.severity} />
      </h1>
      <p>
        <Link href={href({ page: "project", id: rule.project_id })}>
          {rule.project_id}
        </Link>{" "}
        · last changed <Time iso={rule.updated_at} />
        {rule.description === "" ? "" : ` · ${rule.description}`}
      </p>
      <div>
        <Section title="Code" id="code">
          <div className="editor">
            <pre ref={mirror} aria-hidden="true">
              <code>
                {highlight(code)}
                {/* a trailing newline needs a line to show in the mirror too */}
                {"\n"}
              </code>
            </pre>
            <textarea
              ref={area}
              aria-label={`code of ${rule.rule_id}`}
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              onScroll={(e) => {
                mirror.current?.scrollTo(
                  e.currentTarget.scrollLeft,
                  e.currentTarget.scrollTop,
                );
              }}
              onKeyDown={(e) => {
                // Tab indents; Escape then Tab leaves the editor, so focus is never trapped
                if (e.key === "Tab" && !e.shiftKey && !escaped.current) {
                  e.preventDefault();
                  const el = e.currentTarget;
                  const { selectionStart: s, selectionEnd: t } = el;
                  setCode(code.slice(0, s) + "  " + code.slice(t));
                  requestAnimationFrame(() =>
                    el.setSelectionRange(s + 2, s + 2),
                  );
                }
                escaped.current = e.key === "Escape";
              }}
            />
          </div>
          <p className="muted">
            Tab indents; Esc then Tab moves on.{" "}
            {changed ? "Changed, not saved." : "As stored."}
          </p>
        </Section>
        <Section title="Dry run" id="dry-run">
          <fieldset className="filters">
            <legend>Run it on</legend>
            {(
              [
                ["source", "the live source"],
                ["execution", "a past execution's input"],
                ["rows", "pasted rows"],
              ] as const
            ).map(([value, label]) => (
              <label key={value}>
                <input
                  type="radio"
                  name="input"
                  value={value}
                  checked={input === value}
                  onChange={() => setInput(value)}
                />{" "}
                {label}
              </label>
            ))}
          </fieldset>
          {input === "execution" && (
            <ExecutionPicker
              projectId={rule.project_id}
              value={executionId}
              onChange={setExecutionId}
            />
          )}
          {input === "rows" && (
            <RowsField
              text={rowsText}
              onText={setRowsText}
              format={format}
              onFormat={setFormat}
            />
          )}
          {inputError !== null && (
            <p className="error" role="alert">
              {inputError}
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              onClick={submit}
              disabled={dryRun.mutation.isPending}
            >
              {dryRun.mutation.isPending ? "Running…" : "Dry run"}
            </button>{" "}
            <button
              type="button"
              onClick={save.start}
              disabled={save.mutation.isPending || !changed}
            >
              {save.mutation.isPending ? "Saving…" : "Save"}
            </button>
            {save.mutation.isSuccess && !changed && (
              <span role="status"> Saved.</span>
            )}
          </div>
          {dryRun.prompt}
          {save.prompt}
          <WriteError error={dryRun.mutation.error} />
          <WriteError error={save.mutation.error} />
        </Section>
      </div>
      {dryRun.mutation.data !== undefined && (
        <DryRunResult result={dryRun.mutation.data} goTo={goTo} />
      )}
    </>
  );
}

type RuleInput = NonNullable<Schemas["DryRunRequest"]["rules"]>[number];

/** The stored rule as a dry run's override, so only its code differs. */
function ruleInput(r: Schemas["Rule"]): RuleInput {
  return {
    rule_id: r.rule_id,
    definition_id: r.definition_id,
    description: r.description,
    category: r.category,
    severity: r.severity,
    logic: r.logic,
    code: r.code,
    explanation: r.explanation,
    parameters: r.parameters,
    dependencies: r.dependencies as string[],
    is_active: r.is_active,
  };
}

function ExecutionPicker(props: {
  projectId: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const id = useId();
  const recent = useQuery({
    queryKey: ["executions", props.projectId, "recent"],
    queryFn: () =>
      unwrap(
        api.GET("/projects/{id}/executions", {
          params: {
            path: { id: props.projectId },
            query: { status: "success,partial", limit: 20 },
          },
        }),
      ),
  });
  const chosen = useQuery({
    queryKey: ["execution", Number(props.value)],
    queryFn: () =>
      unwrap(
        api.GET("/executions/{id}", {
          params: { path: { id: props.value }, query: { findings_limit: 1 } },
        }),
      ),
    enabled: props.value !== "",
  });
  const state = chosen.data?.input;
  return (
    <div>
      <Loaded query={recent}>
        {(list) =>
          list.items.length === 0 ? (
            <Empty>No finished execution to run on yet.</Empty>
          ) : (
            <div className="filters">
              <label htmlFor={id}>Execution</label>
              <select
                id={id}
                value={props.value}
                onChange={(e) => props.onChange(e.target.value)}
              >
                <option value="">choose…</option>
                {list.items.map((e) => (
                  <option key={e.id} value={String(e.id)}>
                    #{e.id} · {e.status} · {e.row_count ?? "?"} rows ·{" "}
                    {new Date(e.scheduled_for).toLocaleString()}
                  </option>
                ))}
              </select>
            </div>
          )
        }
      </Loaded>
      {state !== undefined &&
        (state.kept ? (
          <p className="muted" data-testid="input-state">
            Input kept: {state.row_count} rows, window{" "}
            <Time iso={state.window_start} /> → <Time iso={state.window_end} />
          </p>
        ) : (
          <p className="error" data-testid="input-state">
            This execution's input is not kept ({state.reason}): {state.message}
          </p>
        ))}
    </div>
  );
}

function RowsField(props: {
  text: string;
  onText: (t: string) => void;
  format: RowFormat;
  onFormat: (f: RowFormat) => void;
}) {
  const id = useId();
  return (
    <div>
      <div className="filters">
        <label htmlFor={`${id}-format`}>Format</label>
        <select
          id={`${id}-format`}
          value={props.format}
          onChange={(e) => props.onFormat(e.target.value as RowFormat)}
        >
          <option value="json">JSON array of objects</option>
          <option value="csv">CSV with a header line</option>
        </select>
      </div>
      <label htmlFor={id} className="muted">
        Rows (the plan then covers only these rows), e.g.{" "}
        <code>
          {props.format === "json"
            ? '[{"id": "A-1", "amount": "10", "paid": "9"}]'
            : "id,amount,paid / A-1,10,9"}
        </code>
      </label>
      <textarea
        id={id}
        className="rows"
        spellCheck={false}
        value={props.text}
        onChange={(e) => props.onText(e.target.value)}
      />
    </div>
  );
}

const PLAN_GROUPS = [
  ["would_open", "Would open"],
  ["would_reopen", "Would reopen"],
  ["would_resolve", "Would resolve"],
  ["unchanged", "Unchanged"],
] as const;

function DryRunResult(props: {
  result: Schemas["DryRunResponse"];
  goTo: (line: number, column: number) => void;
}) {
  const r = props.result;
  return (
    <>
      <Section title="Dry-run result" id="dry-run-result">
        <p>
          <Badge status={r.outcome.status} /> on {r.input} ·{" "}
          {r.row_count ?? "?"} rows · {duration(r.duration_ms)} · window{" "}
          <Time iso={r.window.start} /> → <Time iso={r.window.end} />
        </p>
        {r.outcome.message !== null && (
          <p className="error">
            {r.outcome.reason === null ? "" : `${r.outcome.reason}: `}
            {r.outcome.message}
          </p>
        )}
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
              {r.rules.map((x) => (
                <tr key={x.rule_id}>
                  <td className="mono">{x.rule_id}</td>
                  <td>
                    <Badge status={x.status === "ok" ? "success" : "failed"} />
                  </td>
                  <td>{duration(x.duration_ms)}</td>
                  <td>{x.findings}</td>
                  <td className="mono wrap">
                    {x.line !== null && (
                      <button
                        type="button"
                        onClick={() => props.goTo(x.line!, x.column ?? 1)}
                      >
                        line {x.line}:{x.column ?? 1}
                      </button>
                    )}{" "}
                    {x.error ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Plan" id="plan">
        {r.plan === null ? (
          <Empty>The rules did not run, so the run would change nothing.</Empty>
        ) : (
          <>
            <dl className="figures">
              {PLAN_GROUPS.map(([k, label]) => (
                <div className="figure" key={k}>
                  <dt>{label}</dt>
                  <dd data-testid={`plan-${k}`}>{r.plan![k].length}</dd>
                </div>
              ))}
            </dl>
            {r.plan.note !== null && <p className="muted">{r.plan.note}</p>}
            {!r.plan.resolutions_planned && (
              <p className="muted">
                Without a data_source.key the rows of a sample cannot be told
                apart, so nothing is planned to resolve.
              </p>
            )}
            {PLAN_GROUPS.map(([k, label]) =>
              r.plan![k].length === 0 ? null : (
                <div key={k} data-testid={`plan-list-${k}`}>
                  <h3>{label}</h3>
                  <div className="scroll">
                    <table>
                      <thead>
                        <tr>
                          <th>Rule</th>
                          <th>Key</th>
                          <th>Now</th>
                          <th>After</th>
                          <th>Severity</th>
                          <th>Message</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.plan![k].map((p) => (
                          <tr key={p.fingerprint}>
                            <td className="mono">{p.rule_id}</td>
                            <td className="mono">{p.finding_key}</td>
                            <td>
                              {p.previous_status === null ? (
                                <span className="muted">new</span>
                              ) : (
                                <Badge status={p.previous_status} />
                              )}
                            </td>
                            <td>
                              <Badge status={p.status} />
                            </td>
                            <td>
                              <Badge status={p.severity} />
                              {p.escalated && (
                                <span className="flag"> escalated</span>
                              )}
                            </td>
                            <td>{p.message}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              ),
            )}
          </>
        )}
      </Section>
      <Section title={`Findings (${r.findings.length})`} id="dry-run-findings">
        {r.findings.length === 0 ? (
          <Empty>No finding.</Empty>
        ) : (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Rule</th>
                  <th>Key</th>
                  <th>Message</th>
                </tr>
              </thead>
              <tbody>
                {r.findings.map((f) => (
                  <tr key={f.fingerprint}>
                    <td>
                      <Badge status={f.severity} />
                    </td>
                    <td className="mono">{f.rule_id}</td>
                    <td className="mono">{f.key}</td>
                    <td>{f.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

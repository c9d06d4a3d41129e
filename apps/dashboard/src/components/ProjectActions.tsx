import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { api, unwrap } from "../api/client.js";
import { bearer, useWrite, WriteError } from "../auth.js";
import { LIVE_MS } from "../pages/Overview.js";
import { Badge } from "./ui.js";

/** Suspend (no scheduled run fires; run now and backfills still do) or resume a project. */
export function SuspendResume(props: { projectId: string; active: boolean }) {
  const queryClient = useQueryClient();
  const write = useWrite({
    scope: "write",
    run: (token) =>
      unwrap(
        api.PATCH("/projects/{id}", {
          params: { path: { id: props.projectId } },
          body: { is_active: !props.active },
          headers: bearer(token),
        }),
      ),
    onDone: () =>
      queryClient.invalidateQueries({ queryKey: ["project", props.projectId] }),
  });
  return (
    <>
      <button
        type="button"
        onClick={write.start}
        disabled={write.mutation.isPending}
      >
        {props.active ? "Suspend" : "Resume"}
      </button>
      {write.prompt}
      <WriteError error={write.mutation.error} />
    </>
  );
}

/** `datetime-local` gives wall-clock time without a zone: it is read in the browser's zone. */
function toIso(local: string): string | undefined {
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** A backfill of a range: the form, then its progress until it is done or cancelled. */
export function Backfill({ projectId }: { projectId: string }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [step, setStep] = useState("PT1H");
  const [concurrency, setConcurrency] = useState("1");
  const [formError, setFormError] = useState<string | null>(null);
  const [backfillId, setBackfillId] = useState<number | null>(null);
  const write = useWrite({
    scope: "write",
    run: (token) =>
      unwrap(
        api.POST("/projects/{id}/backfill", {
          params: { path: { id: projectId } },
          body: {
            from: toIso(from) ?? from,
            to: toIso(to) ?? to,
            step,
            concurrency: Number(concurrency),
          },
          headers: bearer(token),
        }),
      ),
    onDone: (b) => {
      setBackfillId(b.id);
      return queryClient.invalidateQueries({
        queryKey: ["executions", projectId],
      });
    },
  });
  const start = () => {
    if (toIso(from) === undefined || toIso(to) === undefined) {
      setFormError("Give both ends of the range.");
      return;
    }
    setFormError(null);
    write.start();
  };
  return (
    <div className="backfill">
      <h3>Backfill a range</h3>
      <div className="filters">
        <label htmlFor={`${id}-from`}>
          From (your time, inclusive)
          <input
            id={`${id}-from`}
            type="datetime-local"
            step={1}
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-to`}>
          To (exclusive)
          <input
            id={`${id}-to`}
            type="datetime-local"
            step={1}
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-step`}>
          Step (ISO 8601: PT1H, P1D)
          <input
            id={`${id}-step`}
            value={step}
            size={8}
            onChange={(e) => setStep(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-concurrency`}>
          At a time
          <input
            id={`${id}-concurrency`}
            type="number"
            min={1}
            value={concurrency}
            size={4}
            onChange={(e) => setConcurrency(e.target.value)}
          />
        </label>
        <button
          type="button"
          onClick={start}
          disabled={write.mutation.isPending}
        >
          Start backfill
        </button>
      </div>
      {formError !== null && (
        <p className="error" role="alert">
          {formError}
        </p>
      )}
      {write.prompt}
      <WriteError error={write.mutation.error} />
      {backfillId !== null && <BackfillProgress id={backfillId} />}
    </div>
  );
}

function BackfillProgress({ id }: { id: number }) {
  const b = useQuery({
    queryKey: ["backfill", id],
    queryFn: () =>
      unwrap(
        api.GET("/backfills/{id}", { params: { path: { id: String(id) } } }),
      ),
    refetchInterval: (q) =>
      q.state.data?.status === "running" ? LIVE_MS : false,
  });
  if (b.data === undefined) {
    return null;
  }
  const d = b.data;
  // windows an earlier backfill already covers count as done: they get no run of their own
  const finished =
    d.succeeded + d.failed + d.skipped + d.cancelled + d.existing;
  return (
    <div role="status" data-testid="backfill-progress">
      <p>
        Backfill {d.id} <Badge status={d.status} />: {finished} of {d.total}{" "}
        windows finished ({d.succeeded} succeeded, {d.failed} failed,{" "}
        {d.skipped} skipped, {d.cancelled} cancelled; {d.running} running,{" "}
        {d.pending} pending, {d.remaining} not yet queued)
        {d.existing > 0 ? `; ${d.existing} covered by an earlier backfill` : ""}
      </p>
      <progress max={d.total} value={finished} aria-label="Backfill progress" />
    </div>
  );
}

import { useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { api, unwrap, type Schemas } from "../api/client.js";
import { bearer, useWrite, WriteError } from "../auth.js";

type Status = Schemas["DiscrepancyTriage"]["status"];

const ACTIONS: { status: Status; label: string }[] = [
  { status: "acknowledged", label: "Acknowledge" },
  { status: "muted", label: "Mute until…" },
  { status: "resolved", label: "Resolve" },
  { status: "open", label: "Reopen" },
];

/**
 * Triage of one discrepancy or several at once (all in one transaction, or none): the API
 * checks each move; a mute needs an end and a reason, a resolve a reason.
 */
export function TriageForm(props: {
  projectId: string;
  fingerprints: string[];
  onDone?: () => void;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const [status, setStatus] = useState<Status>("acknowledged");
  const [reason, setReason] = useState("");
  const [assignee, setAssignee] = useState("");
  const [mutedUntil, setMutedUntil] = useState("");
  const body = (): Schemas["DiscrepancyTriage"] => ({
    status,
    ...(reason.trim() !== "" && { reason: reason.trim() }),
    ...(assignee.trim() !== "" && { assignee: assignee.trim() }),
    ...(status === "muted" &&
      mutedUntil !== "" && { muted_until: new Date(mutedUntil).toISOString() }),
  });
  const write = useWrite({
    scope: "triage",
    run: async (token) => {
      const [single] = props.fingerprints;
      if (props.fingerprints.length === 1 && single !== undefined) {
        await unwrap(
          api.PATCH("/projects/{id}/discrepancies/{fingerprint}", {
            params: { path: { id: props.projectId, fingerprint: single } },
            body: body(),
            headers: bearer(token),
          }),
        );
        return 1;
      }
      const result = await unwrap(
        api.PATCH("/projects/{id}/discrepancies", {
          params: { path: { id: props.projectId } },
          body: { ...body(), fingerprints: props.fingerprints },
          headers: bearer(token),
        }),
      );
      return result.items.length;
    },
    onDone: async () => {
      await queryClient.invalidateQueries({
        queryKey: ["discrepancies", props.projectId],
      });
      await queryClient.invalidateQueries({
        queryKey: ["discrepancy", props.projectId],
      });
      props.onDone?.();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    write.start();
  };
  const n = props.fingerprints.length;
  return (
    <div className="triage">
      <form onSubmit={submit} aria-label="Triage">
        <div className="filters">
          <label htmlFor={`${id}-status`}>
            Action
            <select
              id={`${id}-status`}
              value={status}
              onChange={(e) => setStatus(e.target.value as Status)}
            >
              {ACTIONS.map((a) => (
                <option key={a.status} value={a.status}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          {status === "muted" && (
            <label htmlFor={`${id}-until`}>
              Muted until (your time)
              <input
                id={`${id}-until`}
                type="datetime-local"
                value={mutedUntil}
                onChange={(e) => setMutedUntil(e.target.value)}
                required
              />
            </label>
          )}
          <label htmlFor={`${id}-reason`}>
            Reason
            {status === "muted" || status === "resolved" ? " (needed)" : ""}
            <input
              id={`${id}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required={status === "muted" || status === "resolved"}
            />
          </label>
          <label htmlFor={`${id}-assignee`}>
            Assignee
            <input
              id={`${id}-assignee`}
              value={assignee}
              onChange={(e) => setAssignee(e.target.value)}
            />
          </label>
          <button type="submit" disabled={n === 0 || write.mutation.isPending}>
            {write.mutation.isPending
              ? "Saving…"
              : `Apply to ${n} discrepanc${n === 1 ? "y" : "ies"}`}
          </button>
        </div>
      </form>
      {write.prompt}
      <WriteError error={write.mutation.error} />
      {write.mutation.isSuccess && (
        <p role="status">
          Changed {write.mutation.data} discrepanc
          {write.mutation.data === 1 ? "y" : "ies"}.
        </p>
      )}
    </div>
  );
}

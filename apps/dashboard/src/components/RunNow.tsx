import { useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../api/client.js";
import { bearer, useWrite, WriteError } from "../auth.js";

/** Run now: a manual trigger for the project; its execution appears with the next poll. */
export function RunNow({ projectId }: { projectId: string }) {
  const queryClient = useQueryClient();
  const write = useWrite({
    scope: "write",
    run: (token) =>
      unwrap(
        api.POST("/projects/{id}/trigger", {
          params: { path: { id: projectId } },
          body: {},
          headers: bearer(token),
        }),
      ),
    onDone: () =>
      queryClient.invalidateQueries({ queryKey: ["executions", projectId] }),
  });
  return (
    <div className="actions">
      <button
        type="button"
        onClick={write.start}
        disabled={write.mutation.isPending}
      >
        {write.mutation.isPending ? "Queueing…" : "Run now"}
      </button>
      {write.mutation.isSuccess && (
        <span role="status"> Queued as trigger {write.mutation.data.id}.</span>
      )}
      {write.prompt}
      <WriteError error={write.mutation.error} />
    </div>
  );
}

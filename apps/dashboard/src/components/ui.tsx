import type { ReactNode } from "react";

import { ApiCallError } from "../api/client.js";

/**
 * A status as a word with its colour: the text carries the meaning, the colour only helps
 * (styles.css maps each `tone` to a colour and a border style).
 */
export function Badge({ status }: { status: string }) {
  return <span className={`badge tone-${toneOf(status)}`}>{status}</span>;
}

function toneOf(status: string): string {
  switch (status) {
    case "success":
    case "succeeded":
    case "delivered":
    case "ok":
    case "active":
    case "resolved":
    case "done":
      return "good";
    case "new":
    case "reopened":
    case "failed":
    case "timeout":
    case "lost":
    case "dead":
    case "degraded":
    case "critical":
    case "high":
    case "open":
      return "bad";
    case "partial":
    case "skipped":
    case "missed":
    case "stuck":
    case "medium":
    case "acknowledged":
    case "suspended":
    case "still open":
      return "warn";
    case "running":
    case "pending":
    case "delivering":
      return "busy";
    default:
      return "plain";
  }
}

export function Section(props: {
  title: string;
  children: ReactNode;
  id?: string;
}) {
  return (
    <section className="card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** Loading, an error from the API, or the content. */
export function Loaded<T>(props: {
  query: { data: T | undefined; error: Error | null; isPending: boolean };
  children: (data: T) => ReactNode;
}) {
  if (props.query.error !== null && props.query.data === undefined) {
    return <ErrorBox error={props.query.error} />;
  }
  if (props.query.data === undefined) {
    return <p className="muted">Loading…</p>;
  }
  return <>{props.children(props.query.data)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  if (error instanceof ApiCallError && error.status === 401) {
    return (
      <p className="error" role="alert">
        This API needs a token for reads: enter one above.
      </p>
    );
  }
  const detail =
    error instanceof ApiCallError
      ? `${error.status}${error.code === undefined ? "" : ` ${error.code}`}: ${error.message}`
      : error.message;
  return (
    <p className="error" role="alert">
      Could not load: {detail}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}

/** A "more" button for cursor-paginated lists. */
export function MoreButton(props: {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}) {
  if (!props.hasNextPage) {
    return null;
  }
  return (
    <button
      type="button"
      onClick={() => void props.fetchNextPage()}
      disabled={props.isFetchingNextPage}
    >
      {props.isFetchingNextPage ? "Loading…" : "Load more"}
    </button>
  );
}

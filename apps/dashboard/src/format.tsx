const local = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});

/** `2026-03-29 01:00:00 UTC`: the instant as UTC, for hover titles. */
export function utcText(iso: string): string {
  return `${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

/** A timestamp in the operator's local time, with UTC on hover. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (iso === null || iso === undefined) {
    return <span className="muted">–</span>;
  }
  return (
    <time dateTime={iso} title={utcText(iso)}>
      {local.format(new Date(iso))}
    </time>
  );
}

/** 950 ms, 12.3 s, 4 min 10 s. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) {
    return "–";
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const s = Math.round(ms / 1000);
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The API's success rates are percentages already (66.67 for two runs of three). */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "–" : `${rate.toFixed(1)} %`;
}

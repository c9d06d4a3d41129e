import type { Schemas } from "../api/client.js";
import { duration, utcText } from "../format.js";
import { href, navigate } from "../router.js";

type Execution = Schemas["ExecutionSummary"];

const W = 900;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** Status groups, each with a colour and a marker shape, so colour is never the only cue. */
const GROUPS = [
  {
    name: "success",
    statuses: ["success"],
    colour: "var(--good)",
    shape: "circle",
  },
  {
    name: "partial",
    statuses: ["partial"],
    colour: "var(--warn)",
    shape: "diamond",
  },
  {
    name: "failed",
    statuses: ["failed", "timeout", "lost"],
    colour: "var(--bad)",
    shape: "cross",
  },
  {
    name: "other",
    statuses: ["pending", "running", "cancelled"],
    colour: "var(--busy)",
    shape: "square",
  },
] as const;

function groupOf(status: string) {
  return (
    GROUPS.find((g) => (g.statuses as readonly string[]).includes(status)) ??
    GROUPS[3]
  );
}

function Marker(props: {
  shape: string;
  x: number;
  y: number;
  colour: string;
}) {
  const { x, y, colour } = props;
  switch (props.shape) {
    case "circle":
      return <circle cx={x} cy={y} r={4} fill={colour} />;
    case "diamond":
      return (
        <path
          d={`M${x} ${y - 5}L${x + 5} ${y}L${x} ${y + 5}L${x - 5} ${y}Z`}
          fill={colour}
        />
      );
    case "cross":
      return (
        <path
          d={`M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}`}
          stroke={colour}
          strokeWidth={2.5}
        />
      );
    default:
      return <rect x={x - 4} y={y - 4} width={8} height={8} fill={colour} />;
  }
}

/** Duration of each execution over its scheduled time, one marker per run, drawn as SVG. */
export function Timeline({ executions }: { executions: Execution[] }) {
  if (executions.length === 0) {
    return <p className="muted">No execution yet.</p>;
  }
  const times = executions.map((e) => new Date(e.scheduled_for).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const maxMs = Math.max(1, ...executions.map((e) => e.duration_ms ?? 0));
  const x = (t: number) =>
    PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (ms: number) =>
    H - PAD.bottom - (ms / maxMs) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.5, 1].map((f) => f * maxMs);
  const timeFmt = new Intl.DateTimeFormat(undefined, {
    timeStyle: "short",
    dateStyle: "short",
  });
  return (
    <figure className="timeline-figure">
      <div className="scroll">
        <svg
          className="timeline"
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-label={`Duration of the last ${executions.length} executions over time`}
        >
          {ticks.map((ms) => (
            <g key={ms}>
              <line
                className="axis"
                x1={PAD.left}
                x2={W - PAD.right}
                y1={y(ms)}
                y2={y(ms)}
              />
              <text x={PAD.left - 6} y={y(ms) + 4} textAnchor="end">
                {duration(ms)}
              </text>
            </g>
          ))}
          <text x={PAD.left} y={H - 8}>
            {timeFmt.format(t0)}
          </text>
          <text x={W - PAD.right} y={H - 8} textAnchor="end">
            {timeFmt.format(t1)}
          </text>
          {executions.map((e) => {
            const g = groupOf(e.status);
            return (
              <g
                key={e.id}
                className="point"
                tabIndex={0}
                role="link"
                aria-label={`execution ${e.id}: ${e.status}, ${duration(e.duration_ms)}`}
                onClick={() => navigate(href({ page: "execution", id: e.id }))}
                onKeyDown={(ev) => {
                  if (ev.key === "Enter") {
                    navigate(href({ page: "execution", id: e.id }));
                  }
                }}
              >
                <title>{`#${e.id} ${e.status} ${duration(e.duration_ms)} at ${utcText(e.scheduled_for)}`}</title>
                <Marker
                  shape={g.shape}
                  x={x(new Date(e.scheduled_for).getTime())}
                  y={y(e.duration_ms ?? 0)}
                  colour={g.colour}
                />
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="legend">
        {GROUPS.map((g) => (
          <span key={g.name}>
            <svg
              width="12"
              height="12"
              viewBox="-6 -6 12 12"
              aria-hidden="true"
            >
              <Marker shape={g.shape} x={0} y={0} colour={g.colour} />
            </svg>{" "}
            {g.name} ({g.statuses.join(", ")})
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

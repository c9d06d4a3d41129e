import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client.js";
import { Badge, Empty, Loaded, MoreButton } from "../components/ui.js";
import { Time } from "../format.js";
import { href, Link } from "../router.js";
import { LIVE_MS } from "./Overview.js";

type ProjectRow = Schemas["ProjectList"]["items"][number];
type ActiveFilter = "all" | "true" | "false";

const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

export function Projects() {
  const [search, setSearch] = useState("");
  const [active, setActive] = useState<ActiveFilter>("all");
  const list = useInfiniteQuery({
    queryKey: ["projects", active],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/projects", {
          params: {
            query: {
              limit: 50,
              include: "overview",
              ...(pageParam !== undefined && { cursor: pageParam }),
              ...(active !== "all" && { is_active: active }),
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: LIVE_MS * 4,
  });
  const needle = search.trim().toLowerCase();
  const rows = (list.data?.pages ?? [])
    .flatMap((p) => p.items)
    .filter(
      (p) =>
        needle === "" ||
        p.id.toLowerCase().includes(needle) ||
        p.name.toLowerCase().includes(needle),
    );

  return (
    <>
      <h1>Projects</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Search id or name
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label>
          State
          <select
            value={active}
            onChange={(e) => setActive(e.target.value as ActiveFilter)}
          >
            <option value="all">all</option>
            <option value="true">active</option>
            <option value="false">suspended</option>
          </select>
        </label>
      </form>
      <section className="card">
        <Loaded query={list}>
          {() =>
            rows.length === 0 ? (
              <Empty>No project matches.</Empty>
            ) : (
              <div className="scroll">
                <table>
                  <thead>
                    <tr>
                      <th>Project</th>
                      <th>State</th>
                      <th>Last run</th>
                      <th>Open discrepancies</th>
                      <th>Next run</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((p) => (
                      <ProjectRowView key={p.id} p={p} />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
        <MoreButton {...list} />
        {needle !== "" && list.hasNextPage && (
          <p className="muted">
            The search covers the projects loaded so far; load more to search
            further.
          </p>
        )}
      </section>
    </>
  );
}

function ProjectRowView({ p }: { p: ProjectRow }) {
  const o = p.overview;
  const last = o?.last_execution ?? null;
  return (
    <tr>
      <td>
        <Link href={href({ page: "project", id: p.id })}>{p.name}</Link>
        <div className="muted mono">{p.id}</div>
      </td>
      <td>
        <Badge status={p.is_active ? "active" : "suspended"} />
      </td>
      <td>
        {last === null ? (
          <span className="muted">never ran</span>
        ) : (
          <>
            <Link href={href({ page: "execution", id: last.id })}>
              <Badge status={last.status} />
            </Link>{" "}
            <Time iso={last.finished_at ?? last.scheduled_for} />
          </>
        )}
      </td>
      <td>
        <SeverityCounts counts={o?.open_discrepancies} />
      </td>
      <td>
        <Time iso={o?.next_run} />
      </td>
    </tr>
  );
}

function SeverityCounts(props: {
  counts: Schemas["ProjectOverview"]["open_discrepancies"] | undefined;
}) {
  const shown = SEVERITIES.filter((s) => (props.counts?.[s] ?? 0) > 0);
  if (shown.length === 0) {
    return <span className="muted">none</span>;
  }
  return (
    <span className="severity-counts">
      {shown.map((s) => (
        <span key={s}>
          <Badge status={s} /> {props.counts![s]}{" "}
        </span>
      ))}
    </span>
  );
}

import {
  useEffect,
  useState,
  type AnchorHTMLAttributes,
  type MouseEvent,
} from "react";

/** The app lives under /ui; every route below is relative to it. */
export const BASE = "/ui";

export type Route =
  | { page: "overview" }
  | { page: "projects" }
  | { page: "project"; id: string }
  | { page: "execution"; id: number }
  | { page: "discrepancy"; projectId: string; fingerprint: string }
  | { page: "rule"; projectId: string; ruleId: string }
  | { page: "not-found"; path: string };

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE)
    ? pathname.slice(BASE.length)
    : pathname;
  const parts = rest.split("/").filter((p) => p !== "");
  const segs = parts.map((p) => decodeURIComponent(p));
  if (segs.length === 0) {
    return { page: "overview" };
  }
  if (segs[0] === "projects" && segs.length === 1) {
    return { page: "projects" };
  }
  if (segs[0] === "projects" && segs.length === 2) {
    return { page: "project", id: segs[1]! };
  }
  if (
    segs[0] === "projects" &&
    segs.length === 4 &&
    segs[2] === "discrepancies"
  ) {
    return { page: "discrepancy", projectId: segs[1]!, fingerprint: segs[3]! };
  }
  if (segs[0] === "projects" && segs.length === 4 && segs[2] === "rules") {
    return { page: "rule", projectId: segs[1]!, ruleId: segs[3]! };
  }
  if (segs[0] === "executions" && segs.length === 2 && /^\d+$/.test(segs[1]!)) {
    return { page: "execution", id: Number(segs[1]) };
  }
  return { page: "not-found", path: rest };
}

/** The address of a route, for links. */
export function href(route: Exclude<Route, { page: "not-found" }>): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case "overview":
      return `${BASE}/`;
    case "projects":
      return `${BASE}/projects`;
    case "project":
      return `${BASE}/projects/${e(route.id)}`;
    case "execution":
      return `${BASE}/executions/${route.id}`;
    case "discrepancy":
      return `${BASE}/projects/${e(route.projectId)}/discrepancies/${e(route.fingerprint)}`;
    case "rule":
      return `${BASE}/projects/${e(route.projectId)}/rules/${e(route.ruleId)}`;
  }
}

const NAVIGATE = "vigil:navigate";

export function navigate(to: string): void {
  window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

/** The current route, following links, back and forward. */
export function useRoute(): Route {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return parseRoute(path);
}

/** An ordinary anchor (open in a new tab works) that changes pages without a reload. */
export function Link(
  props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string },
) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(e);
    if (
      e.defaultPrevented ||
      e.button !== 0 ||
      e.metaKey ||
      e.ctrlKey ||
      e.shiftKey ||
      e.altKey
    ) {
      return;
    }
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { storeToken } from "./api/token.js";
import { TokenForm } from "./auth.js";
import { Execution } from "./pages/Execution.js";
import { Discrepancy } from "./pages/Discrepancy.js";
import { Overview } from "./pages/Overview.js";
import { Project } from "./pages/Project.js";
import { Projects } from "./pages/Projects.js";
import { RuleEditor } from "./pages/RuleEditor.js";
import { href, Link, useRoute, type Route } from "./router.js";

/** Dispatched on window when a read was refused for want of a token. */
export const READ_TOKEN_NEEDED = "vigil:read-token-needed";

export function App() {
  const route = useRoute();
  const queryClient = useQueryClient();
  const [needToken, setNeedToken] = useState(false);
  useEffect(() => {
    const ask = () => setNeedToken(true);
    window.addEventListener(READ_TOKEN_NEEDED, ask);
    return () => window.removeEventListener(READ_TOKEN_NEEDED, ask);
  }, []);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link className="brand" href={href({ page: "overview" })}>
          Vigil
        </Link>
        <nav aria-label="Main">
          <Link
            href={href({ page: "overview" })}
            aria-current={route.page === "overview" ? "page" : undefined}
          >
            Overview
          </Link>
          <Link
            href={href({ page: "projects" })}
            aria-current={route.page === "projects" ? "page" : undefined}
          >
            Projects
          </Link>
          <a href="/docs">API</a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {needToken && (
          <TokenForm
            scope="read"
            onCancel={() => setNeedToken(false)}
            onToken={(token) => {
              storeToken(token);
              setNeedToken(false);
              void queryClient.invalidateQueries();
            }}
          />
        )}
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "overview":
      return <Overview />;
    case "projects":
      return <Projects />;
    case "project":
      return <Project key={route.id} id={route.id} />;
    case "execution":
      return <Execution key={route.id} id={route.id} />;
    case "discrepancy":
      return (
        <Discrepancy
          key={`${route.projectId}/${route.fingerprint}`}
          projectId={route.projectId}
          fingerprint={route.fingerprint}
        />
      );
    case "rule":
      return (
        <RuleEditor
          key={`${route.projectId}/${route.ruleId}`}
          projectId={route.projectId}
          ruleId={route.ruleId}
        />
      );
    case "not-found":
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.path}</code>.{" "}
            <Link href={href({ page: "overview" })}>Overview</Link>
          </p>
        </>
      );
  }
}

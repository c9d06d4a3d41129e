import {
  QueryCache,
  QueryClient,
  QueryClientProvider,
} from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { ApiCallError } from "./api/client.js";
import { forgetToken } from "./api/token.js";
import { App, READ_TOKEN_NEEDED } from "./App.js";
import "./styles.css";

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error) => {
      // reads need a token here (API_READ_TOKEN_REQUIRED), or the tab's token was refused
      if (error instanceof ApiCallError && error.status === 401) {
        forgetToken();
        window.dispatchEvent(new Event(READ_TOKEN_NEEDED));
      }
    },
  }),
  defaultOptions: {
    queries: {
      // a 404 or 422 will not change on a retry; a dropped connection might
      retry: (failures, error) =>
        failures < 2 && !("status" in error && Number(error.status) < 500),
      staleTime: 1000,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import express, { type RequestHandler, type Router } from "express";

/** apps/dashboard/dist beside this app, from src/ (tests) and dist/ (npm start, the image) alike. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL("../../../dashboard/dist", import.meta.url),
);

const NOT_BUILT = (dir: string) =>
  `The dashboard is not built: ${dir} has no index.html.\n` +
  "Build it with `npm run build` (or `npm run build -w @vigil/dashboard`); the API serves it here once built.\n";

/**
 * The dashboard's static files at /ui: hashed assets cached for good, index.html for every
 * other /ui path so the app's own routes survive a reload. The folder is looked at per
 * request, so a build made while the API runs is served without a restart.
 */
export function dashboardRouter(dir: string): Router {
  const router = express.Router();
  const index = path.join(dir, "index.html");
  router.use(
    "/ui/assets",
    express.static(path.join(dir, "assets"), {
      immutable: true,
      maxAge: "365d",
      index: false,
    }),
  );
  router.use(
    "/ui",
    express.static(dir, { index: false, redirect: false, maxAge: 0 }),
  );
  const page: RequestHandler = (req, res, next) => {
    // a missing asset is a 404, not the page: a script tag must never load HTML
    if (
      (req.method !== "GET" && req.method !== "HEAD") ||
      req.path.startsWith("/assets/")
    ) {
      next();
      return;
    }
    if (!existsSync(index)) {
      res.status(404).type("text/plain").send(NOT_BUILT(dir));
      return;
    }
    res.set("Cache-Control", "no-cache");
    res.sendFile(index);
  };
  router.use("/ui", page);
  // a person opening the API's address in a browser lands on the dashboard; API clients
  // asking for JSON at / keep their 404
  router.get("/", (req, res, next) => {
    if (req.accepts(["json", "html"]) === "html") {
      res.redirect(302, "/ui/");
      return;
    }
    next();
  });
  return router;
}

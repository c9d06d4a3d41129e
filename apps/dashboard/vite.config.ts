import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Static files for the API to serve at /ui (apps/api/src/http/dashboard.ts). Every asset is
 * a hashed file under /ui/assets: no inline script (the API's CSP allows none) and nothing
 * from another origin.
 */
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});

import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API serves dist/ itself (/, /assets/, and /graphql's GraphiQL page), so the
// build is committed and `reports` needs no Node.js to run. `npm run dev` proxies
// the API started by `reports dev` on its default port.
const api = process.env.REPORTS_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Sources maps would double the committed bundle for little use in production.
    sourcemap: false,
    // GraphiQL (its own page, loaded only at /graphql) is most of a megabyte.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      input: { app: "index.html", graphiql: "graphiql.html" },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true },
      "/downloads": api,
    },
  },
});

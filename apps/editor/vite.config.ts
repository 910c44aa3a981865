import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/*
 * Everything the first page needs, in a few chunks rather than one of a megabyte: the browser
 * fetches and compiles them side by side, a change to the editor's own code leaves the libraries'
 * chunks (and their cache) alone, and the build stays under Vite's chunk-size warning. Only code
 * that every page loads anyway goes here; what is loaded lazily (the code editor) stays apart.
 */
const FIRST_LOAD_CHUNKS: Array<[string, RegExp]> = [
  ['react', /\/node_modules\/(react|react-dom|scheduler)\//],
  ['xyflow', /\/node_modules\/(@xyflow\/[^/]+|d3-[^/]+|classcat)\//],
  // The flow's checks, run in the browser on every edit: the node kinds and what they parse with.
  ['flow-checks', /\/(node_modules\/(zod|jsonata|liquidjs|@marcbachmann\/cel-js|lru-cache)|packages\/(nodes|schema))\//],
];
/** Loaded on demand, so never forced into a first-load chunk: the JSON Schema validator of the run input check. */
const ON_DEMAND = /\/packages\/nodes\/src\/lib\/json-schema-validate\.ts$/;

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  build: {
    rollupOptions: {
      output: {
        manualChunks: (id) => (ON_DEMAND.test(id) ? undefined : FIRST_LOAD_CHUNKS.find(([, path]) => path.test(id))?.[0]),
      },
    },
  },
});

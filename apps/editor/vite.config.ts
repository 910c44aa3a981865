import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/*
 * The libraries every page loads in chunks of their own, rather than in the app's: the browser
 * fetches and compiles them side by side, and a change to the editor's own code leaves their
 * chunks (and their cache) alone. The canvas's libraries (React Flow, the flow checks) are left to
 * Rollup: they go with the lazily loaded canvas, so the first page (the list of flows) does not
 * wait for them. Stylesheets stay with the app's CSS: a stylesheet in a library's chunk would make
 * every page import that chunk.
 */
const FIRST_LOAD_CHUNKS: Array<[string, RegExp]> = [
  ['react', /\/node_modules\/(react|react-dom|scheduler)\//],
  ['xyflow', /\/node_modules\/(@xyflow\/[^/]+|d3-[^/]+|classcat)\/.*\.[cm]?js$/],
];
/** Loaded on demand, so never forced into a chunk: the JSON Schema validator of the run input check. */
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

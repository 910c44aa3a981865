import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

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

/**
 * What the page a link opens needs, asked for while the app's own scripts still load and run:
 * - the opening page's requests (src/startup-requests.ts), an entry of its own loaded `async`, so
 *   they go out as soon as that small script arrives (module scripts written in index.html would
 *   be bundled into the app's entry);
 * - opened on a flow, the canvas's chunks (lazy for every other page), preloaded by a line of
 *   inline script rather than when the app gets round to importing them.
 */
const STARTUP = 'src/startup-requests.ts';
const CANVAS = 'src/views/FlowEditor.tsx';
function openingPage(): Plugin {
  return {
    name: 'trellis-opening-page',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return ctx.server ? [{ tag: 'script', attrs: { type: 'module', async: true, src: `/${STARTUP}` }, injectTo: 'head-prepend' }] : [];
        const chunks = Object.values(ctx.bundle).filter((c) => c.type === 'chunk');
        const byFile = new Map(chunks.map((c) => [c.fileName, c]));
        const startup = chunks.find((c) => c.isEntry && c.facadeModuleId?.endsWith(STARTUP));
        const canvas = chunks.find((c) => c.facadeModuleId?.endsWith(CANVAS));
        const tags: HtmlTagDescriptor[] = [];
        if (startup) tags.push({ tag: 'script', attrs: { type: 'module', async: true, crossorigin: true, src: `/${startup.fileName}` }, injectTo: 'head-prepend' });
        if (canvas) {
          // The canvas chunk and everything it imports statically (the entry's own chunks are loading already).
          const files = new Set<string>();
          const visit = (file: string) => {
            const chunk = byFile.get(file);
            if (!chunk || chunk.isEntry || files.has(file)) return;
            files.add(file);
            chunk.imports.forEach(visit);
          };
          visit(canvas.fileName);
          const list = JSON.stringify([...files].map((f) => `/${f}`));
          // Their stylesheets too, which Vite would otherwise ask for only once the chunks run;
          // Vite's loader finds them already in the page and does not load them again.
          const css = JSON.stringify([...files].flatMap((f) => [...(byFile.get(f)?.viteMetadata?.importedCss ?? [])]).map((f) => `/${f}`));
          tags.push({
            tag: 'script',
            children:
              `if (/^#\\/flows\\/./.test(location.hash)) {` +
              ` for (const href of ${list}) { const l = document.createElement('link'); l.rel = 'modulepreload'; l.crossOrigin = ''; l.href = href; document.head.appendChild(l); }` +
              ` for (const href of ${css}) { const l = document.createElement('link'); l.rel = 'stylesheet'; l.crossOrigin = ''; l.href = href; document.head.appendChild(l); } }`,
            injectTo: 'head',
          });
        }
        return tags;
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), openingPage()],
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  build: {
    rollupOptions: {
      // Absolute: the browser tests build the editor from another working directory.
      input: { index: fileURLToPath(new URL('index.html', import.meta.url)), startup: fileURLToPath(new URL(STARTUP, import.meta.url)) },
      output: {
        manualChunks: (id) => (ON_DEMAND.test(id) ? undefined : FIRST_LOAD_CHUNKS.find(([, path]) => path.test(id))?.[0]),
      },
    },
  },
});

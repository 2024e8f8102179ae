// Vite build of the static lab (`npm run build:site` → web/dist-site): relative URLs, so any static host or path serves it.
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig } from 'vite';

/** A package's flat, pre-minified ES module: one file for Vite to bundle instead of hundreds. */
const flat = (path: string): string => fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url));
const TFJS = flat('@tensorflow/tfjs/dist/tf.fesm.min.js');

/** Vite's warnings (the level build-site.ts asks for), less Rollup's notes on the comments it cannot place in zod's own sources. */
const logger = createLogger('warn');
const warn = logger.warn.bind(logger);
logger.warn = (message, options) => {
  if (message.includes('node_modules/zod/') && message.includes('annotation that Rollup cannot interpret')) return;
  warn(message, options);
};

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  resolve: {
    // One TF.js engine for all: the backends import tfjs-core, which the tfjs bundle contains and re-exports.
    alias: [
      { find: /^@tensorflow\/tfjs$/, replacement: TFJS },
      { find: /^@tensorflow\/tfjs-core$/, replacement: TFJS },
      { find: /^@tensorflow\/tfjs-backend-wasm$/, replacement: flat('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js') },
      { find: /^@tensorflow\/tfjs-backend-webgpu$/, replacement: flat('@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.fesm.min.js') },
    ],
  },
  customLogger: logger,
  worker: { format: 'es' },
  build: { outDir: '../dist-site', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
});

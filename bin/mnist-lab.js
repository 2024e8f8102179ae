#!/usr/bin/env node
// Launcher for the mnist-lab command: runs the compiled CLI from dist/ (`npm run build` makes it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('mnist-lab is not built yet: dist/cli/main.js is missing.\n  hint: run `bash scripts/setup.sh` (or `npm run build`) in the repository first.');
  process.exit(2);
}
await import(entry.href);

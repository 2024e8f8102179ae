// Vite's module types for the lab page (`?raw` text, `?url` assets, import.meta.glob) and the build's step list.
/// <reference types="vite/client" />

/** The shipped steps in codelab order with each lab file's `about`, read by `npm run build:site` (build-site.ts). */
declare module 'virtual:lab-steps' {
  const steps: { id: string; about: import('../../../src/run/schema.js').StepInfo | null }[];
  export default steps;
}

// Vite's module types for the lab page: `?raw` text, `?url` assets and import.meta.glob.
/// <reference types="vite/client" />

// Paths tests share: the repository root and the MNIST files in shared/ beside the checkout (never downloaded).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MNIST_DIR = fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url));

/** A fresh temporary folder for one test. */
export const tempDir = (prefix = 'mnist-lab-test-'): string => mkdtempSync(join(tmpdir(), prefix));

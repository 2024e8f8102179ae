// Paths tests share: the repository root, the MNIST files in shared/ beside the checkout, Debian's Fashion-MNIST.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MNIST_DIR = fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url));
/** Fashion-MNIST from Debian's dataset-fashion-mnist package (scripts/setup.sh installs it). */
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** A fresh temporary folder for one test. */
export const tempDir = (prefix = 'mnist-lab-test-'): string => mkdtempSync(join(tmpdir(), prefix));

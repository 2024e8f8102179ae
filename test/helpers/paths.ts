// Paths tests share: the repository root, the MNIST files (shared/ beside the checkout, else where set-up put them), Debian's Fashion-MNIST.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, missingFiles } from '../../src/data/locate.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHARED_MNIST = fileURLToPath(new URL('../../../shared/data/mnist', import.meta.url));
/**
 * The four MNIST files, never downloaded by a test: ../shared/data/mnist beside the checkout, or, for a clone
 * elsewhere, the per-user cache that scripts/setup.sh links them into.
 */
export const MNIST_DIR =
  existsSync(SHARED_MNIST) || missingFiles(cacheDir(process.env, 'mnist'), 'mnist').length > 0 ? SHARED_MNIST : cacheDir(process.env, 'mnist');
/** Fashion-MNIST from Debian's dataset-fashion-mnist package (scripts/setup.sh installs it). */
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** A fresh temporary folder for one test. */
export const tempDir = (prefix = 'mnist-lab-test-'): string => mkdtempSync(join(tmpdir(), prefix));

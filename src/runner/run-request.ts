// What a run can be asked for: the step or file, the flags that override it, the run folder, resuming.
import type { BackendChoice, Overrides } from '../run/schema.js';

/** The flags the user typed (e.g. "--epochs"), and "step" for a step or file argument. */
export type GivenFlags = readonly string[];

/** Everything a run can be asked for; unset values come from the lab file (or, for the run itself, the defaults). */
export interface RunRequest {
  /** A step name (`10-conv-bn`) or a lab file's path. */
  step?: string;
  overrides?: Partial<Overrides>;
  hp?: Record<string, number>;
  seed?: number;
  dataset?: 'mnist' | 'fashion';
  dataDir?: string;
  backend?: BackendChoice;
  threads?: number;
  pictures?: boolean;
  /** The run folder; default runs/<step>-<time> under cwd. */
  out?: string;
  force?: boolean;
  /** Continue this run folder from its latest checkpoint. */
  resume?: string;
  /** Type-check a user's lab file before running it (default true). */
  typecheck?: boolean;
  /** Which flags the user typed, by name (--resume refuses those that would change the run). */
  given?: GivenFlags;
}

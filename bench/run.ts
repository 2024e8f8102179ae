// `npm run bench [-- --rounds N --models a,b --steps N]`: the native engine against PyTorch (training and
// inference speed, peak RSS) in one run, and the native speed as a share of the machine's sgemm limit.
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { selectConfigs, trainSpeed } from './train-speed.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(cpus().length) },
    'data-dir': { type: 'string' },
    /** Comma-separated model names: only their configurations (e.g. --models codelab-maxpool,gap-head). */
    models: { type: 'string' },
    /** Training steps per configuration instead of each one's own (a short check on a busy machine). */
    steps: { type: 'string' },
  },
});

const configs = selectConfigs(values.models?.split(','), values.steps === undefined ? undefined : Number(values.steps));
await trainSpeed({ rounds: Number(values.rounds), threads: Number(values.threads), dataDir: values['data-dir'], configs });

// `npm run bench`: the native engine against PyTorch (training and inference speed, peak RSS) in one run.
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { trainSpeed } from './train-speed.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(cpus().length) },
    'data-dir': { type: 'string' },
  },
});

trainSpeed({ rounds: Number(values.rounds), threads: Number(values.threads), dataDir: values['data-dir'] });

// The mnist-lab command line: commander definitions that parse flags and call the typed command functions.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DATASET_NAMES } from '../data/datasets.js';
import { dataFetchCommand } from '../commands/data-fetch.js';
import { dataSampleCommand } from '../commands/data-sample.js';
import { doctorCommand } from '../commands/doctor.js';
import { evalCommand } from '../commands/evaluate.js';
import type { CommandIo } from '../commands/io.js';
import { labCommand } from '../commands/lab.js';
import { modelsCommand, summaryCommand } from '../commands/models.js';
import { predictCommand } from '../commands/predict.js';
import { trainCommand } from '../commands/train.js';
import { initBackend } from '../engine/backend.js';
import { listPresets } from '../models/index.js';
import { compareCommand } from '../report/compare.js';
import { reportCommand } from '../report/run-report.js';
import { runServer } from '../server/main.js';
import { tuneCommand, workerCommand } from '../tune/commands.js';
import { BACKENDS, type TrainOverrides } from '../train/config.js';
import { choiceFlag, floatFlag, intFlag, listFlag } from './flags.js';

type Opts = Record<string, unknown>;

/** Every hyperparameter any preset declares becomes a --hp-<name> flag (the mlengine trainer's flags). */
function hyperparameterFlags(): { key: string; flag: string; attr: string; help: string }[] {
  const seen = new Map<string, string>();
  for (const p of listPresets()) {
    for (const [key, spec] of Object.entries(p.hyperparameters ?? {})) {
      if (!seen.has(key)) seen.set(key, `${spec.help} (${p.name}; default ${spec.default})`);
    }
  }
  return [...seen].map(([key, help]) => ({
    key,
    flag: `--hp-${key}`,
    attr: `hp${key[0].toUpperCase()}${key.slice(1)}`,
    help,
  }));
}

function addTrainingFlags(cmd: Command): Command {
  return cmd
    .option('--epochs <n>', 'epochs to train (default: the preset\'s, 10 in the codelab)', intFlag('--epochs', 1, 10_000))
    .option('--batch-size <n>', 'batch size (default: the preset\'s)', intFlag('--batch-size', 1, 60_000))
    .option('--lr <x>', 'initial learning rate (rescales a schedule)', floatFlag('--lr', 0, 10, true))
    .option('--seed <n>', 'random seed: same seed, same run (default 0)', intFlag('--seed', 0, 2 ** 32 - 1))
    .option('--steps <n>', 'cap on steps per epoch, for quick runs', intFlag('--steps', 1))
    .option('--limit <n>', 'train on the first N digits only', intFlag('--limit', 1, 60_000))
    .option('--val-limit <n>', 'validate on the first N test digits only', intFlag('--val-limit', 1, 10_000))
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default('mnist'))
    .option('--data-dir <dir>', 'folder with the four IDX files (else $MNIST_DATA, then the cache)')
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .option('--threads <n>', 'native engine threads (default: cores)', intFlag('--threads', 1, 256))
    .option('--no-pictures', 'skip rendering curves and grids')
    .option('--force', 'overwrite an existing output folder')
    .option('--json', 'print the final metrics as one JSON line on stdout (progress goes to stderr)');
}

function overridesFrom(o: Opts): TrainOverrides {
  return {
    epochs: o.epochs as number | undefined,
    batchSize: o.batchSize as number | undefined,
    lr: o.lr as number | undefined,
    seed: o.seed as number | undefined,
    steps: o.steps as number | undefined,
    limit: o.limit as number | undefined,
    valLimit: o.valLimit as number | undefined,
    backend: o.backend as TrainOverrides['backend'],
    threads: o.threads as number | undefined,
    // commander sets a lone --no-pictures option to true by default: only an explicit --no-pictures overrides.
    pictures: o.pictures === false ? false : undefined,
  };
}

/** The version in package.json, two folders up from src/cli/ and dist/cli/ alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('mnist-lab')
    .description('The MNIST codelab "TensorFlow, Keras and deep learning, without a PhD", in TypeScript.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const hpFlags = hyperparameterFlags();
  const trainCmd = addTrainingFlags(
    program
      .command('train')
      .description('train one preset of the ladder and write a run folder')
      .argument('[preset]', 'preset name (see `mnist-lab models`)')
      .option('--out <dir>', 'run folder (default runs/<preset>-<time>)')
      .option('--job-dir <dir>', 'the mlengine trainer\'s name for --out')
      .option('--resume <dir>', 'continue a run folder from its latest checkpoint'),
  );
  for (const hp of hpFlags) trainCmd.option(`${hp.flag} <x>`, hp.help, floatFlag(hp.flag, -Infinity, Infinity));
  trainCmd.action(async (preset: string | undefined, o: Opts) => {
    const hp = Object.fromEntries(hpFlags.filter((h) => o[h.attr] !== undefined).map((h) => [h.key, o[h.attr] as number]));
    const outcome = await trainCommand(
      {
        preset,
        overrides: overridesFrom(o),
        hp,
        dataset: o.dataset as 'mnist' | 'fashion',
        dataDir: o.dataDir as string | undefined,
        out: (o.out ?? o.jobDir) as string | undefined,
        force: Boolean(o.force),
        resume: o.resume as string | undefined,
        json: Boolean(o.json),
      },
      io,
    );
    if (outcome.status === 'interrupted') setExitCode(130);
  });

  addTrainingFlags(
    program
      .command('lab')
      .description('train the whole ladder in order and print accuracy vs the codelab')
      .option('--presets <list>', 'comma-separated presets (default: all ten steps)', listFlag)
      .option('--out <dir>', 'folder for the runs (default runs/lab-<time>)')
      .option('--resume <dir>', 'continue an interrupted lab folder: finished steps are kept, the rest train'),
  ).action(async (o: Opts, command: Command) => {
    const rows = await labCommand(
      {
        presets: o.presets as string[] | undefined,
        overrides: overridesFrom(o),
        // Only a --dataset typed on the command line counts: a resumed lab keeps its own.
        dataset: command.getOptionValueSource('dataset') === 'cli' ? (o.dataset as 'mnist' | 'fashion') : undefined,
        dataDir: o.dataDir as string | undefined,
        resume: o.resume as string | undefined,
        out: o.out as string | undefined,
        force: Boolean(o.force),
        json: Boolean(o.json),
      },
      io,
    );
    if (rows.some((r) => r.status === 'interrupted')) setExitCode(130);
  });

  program
    .command('models')
    .description('list the presets with parameter counts and the codelab\'s expected accuracy')
    .option('--json', 'machine-readable list')
    .option('--explain', 'what each step changes and what to watch in its curves')
    .action((o: Opts) => modelsCommand({ json: Boolean(o.json), explain: Boolean(o.explain) }, io));

  const summaryCmd = program
    .command('summary')
    .description('print a Keras-style summary of a preset\'s model')
    .argument('<preset>')
    .option('--json', 'machine-readable summary');
  for (const hp of hpFlags) summaryCmd.option(`${hp.flag} <x>`, hp.help, floatFlag(hp.flag, -Infinity, Infinity));
  summaryCmd.action(async (preset: string, o: Opts) => {
    const hp = Object.fromEntries(hpFlags.filter((h) => o[h.attr] !== undefined).map((h) => [h.key, o[h.attr] as number]));
    await summaryCommand({ preset, hp, json: Boolean(o.json) }, io);
  });

  program
    .command('eval')
    .description('evaluate a saved model (or a run folder) on the 10k test set')
    .argument('<run-or-model-dir>')
    .option('--data-dir <dir>', 'folder with the IDX files')
    .addOption(new Option('--dataset <name>', 'dataset (default: the run\'s)').choices(DATASET_NAMES))
    .option('--limit <n>', 'first N test digits only', intFlag('--limit', 1, 10_000))
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .option('--json', 'machine-readable result')
    .action(async (path: string, o: Opts) => {
      await evalCommand(
        {
          path,
          dataDir: o.dataDir as string | undefined,
          dataset: o.dataset as 'mnist' | 'fashion' | undefined,
          limit: o.limit as number | undefined,
          backend: o.backend as 'auto' | undefined,
          json: Boolean(o.json),
        },
        io,
      );
    });

  program
    .command('predict')
    .description('predict digits from a PNG, an IDX images file, or digits.json-style JSON')
    .argument('<model-dir>', 'a model folder or a run folder')
    .argument('<input>', 'PNG, IDX (.gz or raw), or JSON: one {"image": 28×28} per line, or {"instances": [...]}')
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .option('--json', 'print {"predictions": [{"classes", "probabilities"}]}')
    .action(async (modelPath: string, input: string, o: Opts) => {
      await predictCommand({ modelPath, input, json: Boolean(o.json), backend: o.backend as 'auto' | undefined }, io);
    });

  const data = program.command('data').description('manage the datasets');
  data
    .command('sample')
    .description("write test digits in the codelab's digits.json format (one {\"image\": 28×28} per line), for predict")
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default('mnist'))
    .option('--data-dir <dir>', 'folder with the four IDX files')
    .option('--count <n>', 'digits to write', intFlag('--count', 1, 10_000), 5)
    .option('--start <n>', 'first test digit', intFlag('--start', 0, 9_999), 0)
    .option('--out <file>', 'write here instead of stdout')
    .action(async (o: Opts) => {
      await dataSampleCommand(
        {
          dataset: o.dataset as 'mnist',
          dataDir: o.dataDir as string | undefined,
          count: o.count as number,
          start: o.start as number,
          out: o.out as string | undefined,
        },
        io,
      );
    });
  data
    .command('fetch')
    .description('download and verify the four IDX files (SHA-256 of the decompressed bytes)')
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default('mnist'))
    .option('--data-dir <dir>', 'download here instead of the per-user cache')
    .option('--json', 'print the files fetched as JSON')
    .action(async (o: Opts) => {
      await dataFetchCommand({ dataset: o.dataset as 'mnist', dataDir: o.dataDir as string | undefined, json: Boolean(o.json) }, io);
    });

  program
    .command('report')
    .description('render every picture of a run again and rewrite its self-contained report.html')
    .argument('<run>', 'a run folder')
    .option('--out <file>', 'write the report here instead of <run>/report.html')
    .action(async (runDir: string, o: Opts) => {
      await initBackend({ backend: 'auto' });
      await reportCommand({ runDir, out: io.stdout, outFile: o.out as string | undefined, cwd: io.cwd });
    });

  program
    .command('compare')
    .description('overlay the validation curves of several runs and tabulate their metrics')
    .argument('<runs...>', 'run folders (e.g. runs/lab-*/*)')
    .option('--out <file>', 'HTML page to write (the chart goes beside it as .png and .svg)', 'compare.html')
    .action(async (runDirs: string[], o: Opts) => {
      await compareCommand({ runDirs, out: io.stdout, outFile: o.out as string, cwd: io.cwd });
    });

  program
    .command('serve')
    .description('prediction server (AI Platform-style API) and web UI: live dashboard and drawing pad')
    .option('--model <dir>', 'a model folder to serve')
    .option('--run <dir>', 'a run folder whose model to serve')
    .option('--port <n>', 'port', intFlag('--port', 0, 65535), 8080)
    .option('--host <addr>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--allow-host <name...>', 'on a loopback bind, also answer requests with this Host name (a reverse proxy)')
    .option('--runs-dir <dir>', 'folder of run folders for the dashboard', 'runs')
    .option('--max-trainings <n>', 'most dashboard-started trainings at once (default: one per two cores)', intFlag('--max-trainings', 1, 64))
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .action(async (o: Opts) => {
      await runServer(
        {
          model: o.model as string | undefined,
          run: o.run as string | undefined,
          port: o.port as number,
          host: o.host as string,
          allowHosts: o.allowHost as string[] | undefined,
          runsDir: o.runsDir as string,
          maxTrainings: o.maxTrainings as number | undefined,
          backend: o.backend as 'auto' | undefined,
          print: (line) => io.stdout.write(`${line}\n`),
          log: io.stderr,
        },
        io.signal,
      );
    });

  program
    .command('tune')
    .description('run a hyperparameter study: a local pool by default, or trials on a Redis queue (docs/tuning.md)')
    .argument('<study>', 'study file (YAML), like the codelab\'s config-hptune.yaml')
    .option('--out <dir>', 'study folder (default runs/study-<name>)')
    .option('--queue <url>', 'run trials as BullMQ jobs on this Redis, e.g. redis://127.0.0.1:6379')
    .option('--resume', 'continue a study folder after a crash or Ctrl-C')
    .option('--json', 'print the summary as one JSON line (progress goes to stderr)')
    .action(async (studyFile: string, o: Opts) => {
      await tuneCommand({
        studyFile,
        out: o.out as string | undefined,
        queue: o.queue as string | undefined,
        resume: Boolean(o.resume),
        json: Boolean(o.json),
        io,
      });
      if (io.signal?.aborted) setExitCode(130);
    });

  program
    .command('worker')
    .description('pull trials from a Redis queue and run them (any number of machines)')
    .requiredOption('--queue <url>', 'the Redis the tuner uses, e.g. redis://10.0.0.5:6379')
    .option('--concurrency <n>', 'trials at once on this machine', intFlag('--concurrency', 1, 64), 1)
    .option('--work-dir <dir>', 'where trial run folders are written before they are sent back')
    .action(async (o: Opts) => {
      await workerCommand({
        queue: o.queue as string,
        concurrency: o.concurrency as number,
        workDir: o.workDir as string | undefined,
        io,
      });
    });

  program
    .command('doctor')
    .description('show the engine in use, threads, oneDNN version and CPU features')
    .option('--threads <n>', 'native engine threads', intFlag('--threads', 1, 256))
    .option('--json', 'machine-readable report')
    .action(async (o: Opts) => {
      await doctorCommand({ json: Boolean(o.json), threads: o.threads as number | undefined }, io);
    });

  return program;
}

// The mnist-lab command line: commander definitions that parse flags and call the typed command functions, each
// imported only when its command runs.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CommandIo } from '../commands/io.js';
import { badArgument } from '../errors.js';
import { LIMITS } from '../run/limits.js';
import { BACKENDS, DATASET_NAMES, type BackendChoice, type Overrides } from '../run/schema.js';
import { choiceFlag, floatFlag, intFlag, limitFlag, listFlag } from './flags.js';

type Opts = Record<string, unknown>;

/** The training flags every command that trains takes, their ranges from the one limits table. */
function addTrainingFlags(cmd: Command): Command {
  return cmd
    .option('--epochs <n>', "epochs to train (default: the file's, 10 in the codelab)", limitFlag('--epochs', LIMITS.epochs))
    .option('--batch-size <n>', "batch size (default: the file's)", limitFlag('--batch-size', LIMITS.batchSize))
    .option('--lr <x>', 'initial learning rate (rescales a schedule)', limitFlag('--lr', LIMITS.lr))
    .option('--seed <n>', 'random seed: same seed, same run (default 0)', limitFlag('--seed', LIMITS.seed))
    .option('--steps <n>', 'cap on steps per epoch, for quick runs', limitFlag('--steps', LIMITS.steps))
    .option('--limit <n>', 'train on the first N digits only', limitFlag('--limit', LIMITS.limit))
    .option('--val-limit <n>', 'validate on the first N test digits only', limitFlag('--val-limit', LIMITS.valLimit))
    .addOption(new Option('--dataset <name>', 'dataset (default mnist)').choices(DATASET_NAMES))
    .option('--data-dir <dir>', 'folder with the four IDX files (else $MNIST_DATA, then the cache)')
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .option('--threads <n>', 'native engine threads (default: cores)', limitFlag('--threads', LIMITS.threads))
    .option('--no-pictures', 'skip rendering curves and grids')
    .option('--force', 'replace an existing run folder (only one mnist-lab made)')
    .option('--json', 'print the final metrics as one JSON line on stdout (progress goes to stderr)');
}

function overridesFrom(o: Opts): Partial<Overrides> {
  const pick = (key: keyof Overrides) => (o[key] === undefined ? {} : { [key]: o[key] as number });
  return { ...pick('epochs'), ...pick('batchSize'), ...pick('lr'), ...pick('steps'), ...pick('limit'), ...pick('valLimit') };
}

/** The flags typed on the command line, as written (e.g. "--epochs"), for --resume to refuse the changing ones. */
function typedFlags(command: Command, hp: Record<string, number>): string[] {
  const flags = command.options.filter((opt) => command.getOptionValueSource(opt.attributeName()) === 'cli').map((opt) => opt.long ?? opt.name());
  return [...flags, ...Object.keys(hp).map((key) => `--hp-${key}`)];
}

/** The version in package.json, two folders up from src/cli/ and dist/cli/ alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * The program. `hp` holds the --hp-<key> flags runCli took out of argv (a lab file declares its own knobs, so they
 * cannot be commander options); only train, run and summary accept them.
 */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void, hp: Record<string, number> = {}): Command {
  const program = new Command('mnist-lab')
    .description('The MNIST codelab "TensorFlow, Keras and deep learning, without a PhD", in TypeScript.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // commander's own errors are not printed here: runCli reports them in the `error [CODE]` form of every error.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined })
    .exitOverride();
  const noHp = (command: string) => {
    const keys = Object.keys(hp);
    if (keys.length) throw badArgument(`--hp-${keys[0]}`, 'given only to train, run or summary (a lab file declares its hyperparameters)', hp[keys[0]]);
    return command;
  };
  program.hook('preAction', (_, action) => {
    if (!['train', 'run', 'summary'].includes(action.name())) noHp(action.name());
  });

  const trainAction = async (step: string | undefined, o: Opts, command: Command) => {
    const { trainCommand } = await import('../commands/train.js');
    const given = [...(step === undefined ? [] : ['step']), ...typedFlags(command, hp)];
    const outcome = await trainCommand(
      {
        step,
        overrides: overridesFrom(o),
        hp,
        seed: o.seed as number | undefined,
        dataset: o.dataset as 'mnist' | 'fashion' | undefined,
        dataDir: o.dataDir as string | undefined,
        backend: o.backend as BackendChoice | undefined,
        threads: o.threads as number | undefined,
        // commander sets a lone --no-pictures option to true by default: only an explicit --no-pictures counts.
        pictures: o.pictures === false ? false : undefined,
        out: (o.out ?? o.jobDir) as string | undefined,
        force: Boolean(o.force),
        resume: o.resume as string | undefined,
        typecheck: o.typecheck !== false,
        given,
        json: Boolean(o.json),
      },
      io,
    );
    if (outcome.status === 'interrupted') setExitCode(130);
  };

  addTrainingFlags(
    program
      .command('train')
      .description('train one step of the ladder (its lab file, lab/<step>.ts) and write a run folder')
      .argument('[step]', 'step name (see `mnist-lab models`)')
      .option('--out <dir>', 'run folder (default runs/<step>-<time>)')
      .option('--job-dir <dir>', "the mlengine trainer's name for --out")
      .option('--resume <dir>', 'continue a run folder from its latest checkpoint')
      .addHelpText('after', '\n  --hp-<key> <x>   a hyperparameter the step declares (mlengine: --hp-lr0, --hp-conv1, … see `mnist-lab models --explain`)'),
  ).action(trainAction);

  addTrainingFlags(
    program
      .command('run')
      .description('run your own lab file (TypeScript, no build step) exactly as `train` runs a step, and write a run folder')
      .argument('[file]', 'a lab file, e.g. a copy of lab/10-conv-bn.ts (or a step name)')
      .option('--out <dir>', 'run folder (default runs/<file>-<time>)')
      .option('--resume <dir>', 'continue a run folder from its latest checkpoint')
      .option('--no-typecheck', 'run the file without type-checking it first')
      .addHelpText('after', '\n  --hp-<key> <x>   a hyperparameter the file declares in about.hyperparameters'),
  ).action(trainAction);

  addTrainingFlags(
    program
      .command('lab')
      .description('train the whole ladder in order (over --seeds seeds) and print accuracy vs the codelab')
      .option('--presets <list>', 'comma-separated steps (default: the ten codelab steps)', listFlag)
      .option('--seeds <n>', 'train each step with this many seeds (--seed, --seed + 1, …) and report mean ± sd', limitFlag('--seeds', LIMITS.seeds))
      .option('--out <dir>', 'folder for the runs (default runs/lab-<time>)')
      .option('--resume <dir>', 'continue an interrupted lab folder: finished runs are kept, the rest train'),
  ).action(async (o: Opts, command: Command) => {
    const [{ labCommand }, { LADDER }] = await Promise.all([import('../commands/lab.js'), import('../runner/catalogue.js')]);
    const seed = (o.seed as number | undefined) ?? 0;
    const rows = await labCommand(
      {
        plan: {
          steps: (o.presets as string[] | undefined)?.length ? (o.presets as string[]) : [...LADDER],
          overrides: { epochs: null, batchSize: null, lr: null, steps: null, limit: null, valLimit: null, ...overridesFrom(o) },
          seeds: Array.from({ length: (o.seeds as number | undefined) ?? 1 }, (_, i) => seed + i),
          dataset: (o.dataset as 'mnist' | 'fashion' | undefined) ?? 'mnist',
          dataDir: (o.dataDir as string | undefined) ?? null,
          backend: (o.backend as BackendChoice | undefined) ?? 'auto',
          threads: (o.threads as number | undefined) ?? null,
          pictures: o.pictures !== false,
        },
        out: o.out as string | undefined,
        force: Boolean(o.force),
        resume: o.resume as string | undefined,
        given: typedFlags(command, hp).filter((f) => f !== '--resume' && f !== '--json'),
        json: Boolean(o.json),
      },
      io,
    );
    if (rows.some((r) => r.runs.some((x) => x.status === 'interrupted'))) setExitCode(130);
  });

  program
    .command('speedrun')
    .description('time a lab file from process start until the 10k test set reaches the target accuracy, each seed in a fresh process')
    .argument('[file]', 'a lab file declaring a `target` hyperparameter (default: the 12-speedrun step)')
    .option('--target <x>', 'the test accuracy to reach: 0.99 or 0.995 (the recipes 12-speedrun has)', floatFlag('--target', 0.5, 0.999), 0.99)
    .option('--seeds <n>', 'seeds to time, --seed, --seed + 1, …, each in a fresh process', limitFlag('--seeds', LIMITS.seeds), 5)
    .option('--seed <n>', 'the first seed', limitFlag('--seed', LIMITS.seed), 0)
    .option('--limit <n>', 'train on the first N digits only (a quick check, not a record)', limitFlag('--limit', LIMITS.limit))
    .option('--val-limit <n>', 'validate on the first N test digits only (a quick check, not a record)', limitFlag('--val-limit', LIMITS.valLimit))
    .option('--data-dir <dir>', 'folder with the four IDX files (else $MNIST_DATA, then the cache)')
    .option('--threads <n>', 'native engine threads (default: cores)', limitFlag('--threads', LIMITS.threads))
    .option('--json', 'print {"step","target","testDigits","seeds":[…],"medianSeconds","reached"} as one line (progress goes to stderr)')
    .action(async (file: string | undefined, o: Opts) => {
      const { speedrunCommand } = await import('../commands/speedrun.js');
      const first = o.seed as number;
      await speedrunCommand(
        {
          step: file,
          target: o.target as number,
          seeds: Array.from({ length: o.seeds as number }, (_, i) => first + i),
          dataDir: o.dataDir as string | undefined,
          threads: o.threads as number | undefined,
          limit: o.limit as number | undefined,
          valLimit: o.valLimit as number | undefined,
          json: Boolean(o.json),
        },
        io,
      );
    });

  program
    .command('models')
    .description('list the steps with parameter counts, recipes and the codelab\'s expected accuracy')
    .option('--json', 'machine-readable list')
    .option('--explain', 'what each step changes and what to watch in its curves')
    .action(async (o: Opts) => {
      const { modelsCommand } = await import('../commands/models.js');
      await modelsCommand({ json: Boolean(o.json), explain: Boolean(o.explain) }, io);
    });

  program
    .command('summary')
    .description("print a Keras-style summary of a step's model (or of your lab file's)")
    .argument('<step-or-file>')
    .option('--json', 'machine-readable summary')
    .action(async (step: string, o: Opts) => {
      const { summaryCommand } = await import('../commands/models.js');
      await summaryCommand({ step, hp, json: Boolean(o.json) }, io);
    });

  program
    .command('eval')
    .description('evaluate a saved model (or a run folder) on the 10k test set')
    .argument('<run-or-model-dir>')
    .option('--data-dir <dir>', 'folder with the IDX files')
    .addOption(new Option('--dataset <name>', "dataset (default: the run's)").choices(DATASET_NAMES))
    .option('--limit <n>', 'first N test digits only', limitFlag('--limit', LIMITS.valLimit))
    .option('--backend <name>', `engine: ${BACKENDS.join(', ')}`, choiceFlag('--backend', BACKENDS))
    .option('--tta', 'test-time augmentation: average the probabilities of each digit and its 1-pixel shifts')
    .option('--json', 'machine-readable result')
    .action(async (path: string, o: Opts) => {
      const { evalCommand } = await import('../commands/evaluate.js');
      await evalCommand(
        {
          path,
          dataDir: o.dataDir as string | undefined,
          dataset: o.dataset as 'mnist' | 'fashion' | undefined,
          limit: o.limit as number | undefined,
          backend: o.backend as 'auto' | undefined,
          tta: Boolean(o.tta),
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
      const { predictCommand } = await import('../commands/predict.js');
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
    .option('--out <file>', 'write this new file instead of stdout')
    .action(async (o: Opts) => {
      const { dataSampleCommand } = await import('../commands/data-sample.js');
      await dataSampleCommand(
        { dataset: o.dataset as 'mnist', dataDir: o.dataDir as string | undefined, count: o.count as number, start: o.start as number, out: o.out as string | undefined },
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
      const { dataFetchCommand } = await import('../commands/data-fetch.js');
      await dataFetchCommand({ dataset: o.dataset as 'mnist', dataDir: o.dataDir as string | undefined, json: Boolean(o.json) }, io);
    });

  program
    .command('report')
    .description('render every picture of a run again and rewrite its self-contained report.html')
    .argument('<run>', 'a run folder')
    .option('--out <file>', 'write the report here instead of <run>/report.html')
    .action(async (runDir: string, o: Opts) => {
      const { reportCommand } = await import('../commands/report.js');
      await reportCommand({ runDir, out: io.stdout, outFile: o.out as string | undefined, cwd: io.cwd });
    });

  program
    .command('compare')
    .description('overlay the validation curves of several runs and tabulate their metrics')
    .argument('<runs...>', 'run folders (e.g. runs/lab-*/*)')
    .option('--out <file>', 'HTML page to write (the chart goes beside it as .png and .svg)', 'compare.html')
    .action(async (runDirs: string[], o: Opts) => {
      const { compareCommand } = await import('../commands/compare.js');
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
      const { runServer } = await import('../commands/serve.js');
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
    .argument('<study>', "study file (YAML), like the codelab's config-hptune.yaml")
    .option('--out <dir>', 'study folder (default runs/study-<name>)')
    .option('--queue <url>', 'run trials as BullMQ jobs on this Redis, e.g. redis://127.0.0.1:6379')
    .option('--resume', 'continue a study folder after a crash or Ctrl-C')
    .option('--json', 'print the summary as one JSON line (progress goes to stderr)')
    .action(async (studyFile: string, o: Opts) => {
      const { tuneCommand } = await import('../commands/tune.js');
      await tuneCommand({ studyFile, out: o.out as string | undefined, queue: o.queue as string | undefined, resume: Boolean(o.resume), json: Boolean(o.json), io });
      if (io.signal?.aborted) setExitCode(130);
    });

  program
    .command('worker')
    .description('pull trials from a Redis queue and run them (any number of machines)')
    .requiredOption('--queue <url>', 'the Redis the tuner uses, e.g. redis://10.0.0.5:6379')
    .option('--concurrency <n>', 'trials at once on this machine', intFlag('--concurrency', 1, 64), 1)
    .option('--work-dir <dir>', 'where trial run folders are written before they are sent back')
    .action(async (o: Opts) => {
      const { workerCommand } = await import('../commands/tune.js');
      await workerCommand({ queue: o.queue as string, concurrency: o.concurrency as number, workDir: o.workDir as string | undefined, io });
      // A worker runs until Ctrl-C.
      setExitCode(130);
    });

  program
    .command('doctor')
    .description('show the engine in use, threads, oneDNN version and CPU features')
    .option('--threads <n>', 'native engine threads', limitFlag('--threads', LIMITS.threads))
    .option('--json', 'machine-readable report')
    .action(async (o: Opts) => {
      const { doctorCommand } = await import('../commands/doctor.js');
      await doctorCommand({ json: Boolean(o.json), threads: o.threads as number | undefined }, io);
    });

  return program;
}

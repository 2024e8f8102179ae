// Entry of the static lab page: steps and lessons, code, engine and language, and what the training worker reports.
import { DATASET_NAMES } from '../../../src/data/datasets.js';
import { CodePanel } from './code-panel.js';
import { Curves } from './curves.js';
import { isLanguage, languageName, LANGUAGES, setLanguage, stepText, strings, text, type Language } from './i18n.js';
import { LabPad } from './lab-pad.js';
import { lessonPieces } from './lesson-flags.js';
import { LabWorker } from './lab-client.js';
import { ModelsPanel } from './models-panel.js';
import { PredictionPictures } from './pictures.js';
import { ENGINES, type DataUrls, type EngineCheck, type EngineChoice, type EngineName, type EngineStatus, type ErrorReport, type WorkerMessage } from './protocol.js';
import { RunSettings } from './run-settings.js';
import { STEPS } from './steps.js';
import { preloadTransform, transformLabFile } from './transform.js';

type RunState = 'starting' | 'idle' | 'transforming' | 'running' | 'paused' | 'stopping';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

const params = new URLSearchParams(location.search);
const LANGUAGE_KEY = 'mnist-lab-language';
const ENGINE_KEY = 'mnist-lab-engine';
/** Most log lines kept on the page. */
const LOG_LINES = 500;
/** Shortest time between two redraws of the curves (ms): the chart worker shares the CPU with training. */
const CHART_REDRAW_MS = 250;
/** Batch losses and tensor counts kept in the DOM for its readers (tests check the loss falls, the count stays flat). */
const SAMPLES = 200;

/** Each dataset's folder: `data/<dataset>/` beside this page, or `?<dataset>=<folder URL>`. */
function dataUrls(): DataUrls {
  const folder = (name: string) => {
    const url = new URL(params.get(name) ?? `data/${name}/`, document.baseURI).href;
    return url.endsWith('/') ? url : `${url}/`;
  };
  return Object.fromEntries(DATASET_NAMES.map((name) => [name, folder(name)])) as DataUrls;
}

/** The pictures' typefaces, copied beside the page by the build. */
const FONTS_URL = new URL('fonts/', document.baseURI).href;

function initialLanguage(): Language {
  const asked = params.get('lang') ?? localStorage.getItem(LANGUAGE_KEY);
  if (isLanguage(asked)) return asked;
  return navigator.language.startsWith('he') ? 'he' : 'en';
}

function initialEngine(): EngineChoice {
  const asked = params.get('engine') ?? localStorage.getItem(ENGINE_KEY);
  return (ENGINES as readonly string[]).includes(asked ?? '') ? (asked as EngineName) : 'auto';
}

/** The step `?step=<id>` asks for, else the first. */
function initialStep(): number {
  return Math.max(0, STEPS.findIndex((s) => s.id === params.get('step')));
}

/** wasm's build in the page's language: SIMD or not, threaded or why not, and its threads. */
function wasmDetail(wasm: NonNullable<EngineStatus['wasm']>): string {
  const build = wasm.threaded ? 'wasmThreaded' : wasm.isolated ? 'wasmSingle' : 'wasmNotIsolated';
  return [text(wasm.simd ? 'wasmSimd' : 'wasmNoSimd'), text(build), text('wasmThreads', { count: wasm.threads })].join(', ');
}

function keepLast(values: number[], value: number): void {
  values.push(value);
  if (values.length > SAMPLES) values.shift();
}

/** Starts a browser download of `bytes` named `name`. */
function download(name: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes]));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

class LabPage {
  private readonly charts: Curves;
  private readonly code: CodePanel;
  private readonly worker: LabWorker;
  private readonly settings: RunSettings;
  private readonly pictures: PredictionPictures;
  private readonly models: ModelsPanel;
  private readonly pad: LabPad;
  private stepIndex = initialStep();
  /** The learner's edits, by step id, kept while the page is open. */
  private readonly edits = new Map<string, string>();
  private engines: EngineStatus[] = [];
  private activeEngine: EngineName | null = null;
  private engineChoice = initialEngine();
  private state: RunState = 'starting';
  private runId: number | null = null;
  /** What the run-state line says, re-rendered when the language changes. */
  private stateLine: () => string = () => text('engineStarting');
  private error: { report: ErrorReport; syntax: boolean } | null = null;
  /** Tensors alive after each sampled batch, its loss, and each epoch's training and validation loss. */
  private readonly tensorCounts: number[] = [];
  private readonly batchLosses: number[] = [];
  private readonly epochLosses: number[] = [];
  private readonly valLosses: number[] = [];
  private epochs: { done: number; of: number } | null = null;
  /** Records arrive by the hundred: their numbers reach the DOM once per animation frame. */
  private progressFrame: number | null = null;
  /** The model the run that is going will keep: the pad switches to it when it arrives. */
  private drawWhenKept = false;
  /** The engine check's results, when the run that ended was one. */
  private lastCheck: EngineCheck[] | null = null;

  constructor() {
    setLanguage(initialLanguage());
    this.charts = new Curves(
      { loss: element('loss-chart'), accuracy: element('accuracy-chart'), lr: element('lr-chart'), compare: element('compare-chart') },
      strings().charts,
      CHART_REDRAW_MS,
    );
    this.code = new CodePanel(element('editor'), (edited) => this.onEdit(edited));
    this.worker = new LabWorker(
      (message) => this.onMessage(message),
      (message) => this.onCrash(message),
    );
    this.settings = new RunSettings(element('settings-fields'), params);
    if ([...params.keys()].some((key) => ['epochs', 'steps', 'limit', 'val-limit', 'batch-size', 'dataset'].includes(key))) element<HTMLDetailsElement>('run-settings').open = true;
    this.pictures = new PredictionPictures(
      {
        predictions: { canvas: element('prediction-grid'), caption: element('grid-caption') },
        fontDigits: { canvas: element('font-digits'), caption: element('font-caption') },
        confusion: { canvas: element('confusion-matrix'), caption: element('confusion-caption') },
      },
      FONTS_URL,
    );
    this.pad = new LabPad({
      canvas: element('pad-canvas'),
      preview: element('pad-preview'),
      select: element('pad-model'),
      clear: element('pad-clear'),
      prediction: element('pad-prediction'),
      bars: element('pad-bars'),
    });
    this.models = new ModelsPanel(element('model-table'), element('models-empty'), {
      draw: (model) => void this.pad.use(model.id),
      download: (model) => this.worker.exportModel(model.id),
      forget: (model) => this.worker.forgetModel(model.id),
      compare: (runs) => this.charts.compare(runs, { title: text('compareTitle'), axis: text('compareAxis'), epoch: strings().charts.epoch }),
      listed: (models) => this.pad.setModels(models),
    });
    this.wireControls();
    this.showStep(this.stepIndex);
    this.render();
    this.worker.configure(dataUrls(), FONTS_URL, this.engineChoice);
    void this.models.refresh().then(() => this.drawWithNewest());
    preloadTransform();
  }

  /** The pad starts with the newest kept model, if any. */
  private drawWithNewest(): void {
    const newest = element<HTMLSelectElement>('pad-model').options[0]?.value;
    if (newest !== undefined) void this.pad.use(newest);
  }

  private wireControls(): void {
    const language = element<HTMLSelectElement>('language-select');
    language.replaceChildren(...LANGUAGES.map((lang) => new Option(languageName(lang), lang)));
    language.value = document.documentElement.lang;
    language.addEventListener('change', () => {
      if (!isLanguage(language.value)) return;
      localStorage.setItem(LANGUAGE_KEY, language.value);
      setLanguage(language.value);
      this.charts.setLabels(strings().charts);
      this.pictures.relabel();
      this.models.render();
      this.pad.relabel();
      this.render();
      this.renderProgress();
    });
    const engine = element<HTMLSelectElement>('engine-select');
    engine.addEventListener('change', () => {
      this.engineChoice = engine.value as EngineChoice;
      localStorage.setItem(ENGINE_KEY, this.engineChoice);
      this.worker.useEngine(this.engineChoice);
    });
    element('train').addEventListener('click', () => void this.train());
    element('check').addEventListener('click', () => void this.check());
    element('pause').addEventListener('click', () => {
      if (this.runId === null) return;
      if (this.state === 'paused') this.worker.resume(this.runId);
      else this.worker.pause(this.runId);
    });
    element('stop').addEventListener('click', () => {
      if (this.runId === null) return;
      this.worker.stop(this.runId);
      this.setState('stopping', () => text('stopping'));
    });
    element('reset').addEventListener('click', () => {
      const step = STEPS[this.stepIndex];
      this.edits.delete(step.id);
      this.code.reset();
      this.onEdit(this.code.text !== step.source);
    });
  }

  private showStep(index: number): void {
    const current = STEPS[this.stepIndex];
    if (this.code.text !== '' && this.code.text !== current.source) this.edits.set(current.id, this.code.text);
    this.stepIndex = index;
    const step = STEPS[index];
    const edit = this.edits.get(step.id);
    this.code.show(step.source, edit);
    this.onEdit(edit !== undefined);
    element('code-file').textContent = step.file;
    this.clearError();
    this.render();
  }

  private onEdit(edited: boolean): void {
    element('code-edited').hidden = !edited;
    element<HTMLButtonElement>('reset').disabled = !edited;
    document.body.dataset.edited = String(edited);
  }

  /** The code as JavaScript for the worker, or null after showing its syntax error. */
  private async transformed(): Promise<string | null> {
    const step = STEPS[this.stepIndex];
    this.clearError();
    this.setState('transforming', () => text('transforming'));
    const result = await transformLabFile(this.code.text, step.file);
    if (result.ok) return result.code;
    this.setState('idle', () => text('failed'));
    document.body.dataset.lastStatus = 'failed';
    this.showError(result.error, true);
    return null;
  }

  /** Clears what the last run showed, for a new one. */
  private startRun(): void {
    this.charts.reset();
    this.pictures.reset();
    for (const series of [this.tensorCounts, this.batchLosses, this.epochLosses, this.valLosses]) series.length = 0;
    delete element('lr-chart').dataset.plan;
    this.epochs = null;
    this.renderProgress();
    element('run-log').textContent = '';
    delete document.body.dataset.check;
    this.lastCheck = null;
  }

  private async train(): Promise<void> {
    if (this.state !== 'idle') return;
    const step = STEPS[this.stepIndex];
    const settings = this.settings.read();
    if (!settings.ok) {
      document.body.dataset.lastStatus = 'failed';
      this.showError({ code: 'BAD_ARGUMENT', message: settings.message }, false);
      return;
    }
    const source = await this.transformed();
    if (source === null) return;
    this.startRun();
    const typescript = this.code.text;
    this.drawWhenKept = true;
    this.runId = this.worker.run({
      step: step.id,
      file: step.file,
      source,
      typescript,
      edited: typescript !== step.source,
      title: step.about?.title ?? step.id,
      dataset: settings.dataset,
      overrides: settings.overrides,
    });
    this.setState('running', () => text('running'));
  }

  private async check(): Promise<void> {
    if (this.state !== 'idle') return;
    const step = STEPS[this.stepIndex];
    const source = await this.transformed();
    if (source === null) return;
    this.startRun();
    this.drawWhenKept = false;
    this.runId = this.worker.check({ step: step.id, file: step.file, source });
    this.setState('running', () => text('running'));
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'engines') {
      this.engines = message.engines;
      this.activeEngine = message.active;
      // A remembered choice this browser cannot run: the worker fell back, and the select says auto.
      if (this.engineChoice !== 'auto' && !this.engines.some((e) => e.name === this.engineChoice && e.ok)) this.engineChoice = 'auto';
      if (this.state === 'starting') this.setState('idle', () => text('idle'));
      this.render();
      return;
    }
    if (message.type === 'model-files') {
      for (const file of message.files) download(file.name, file.bytes);
      return;
    }
    if (message.type === 'forgotten') {
      void this.models.refresh();
      return;
    }
    if (message.type === 'error' && message.runId === null) {
      this.showError(message.error, false);
      return;
    }
    if (message.runId !== this.runId) return; // an old run's last words
    this.onRunMessage(message);
  }

  private onRunMessage(message: Exclude<WorkerMessage, { type: 'engines' | 'model-files' | 'forgotten' }>): void {
    if (message.type === 'record') {
      const record = message.record;
      this.charts.add([record]);
      if (record.type === 'batch') {
        keepLast(this.tensorCounts, message.numTensors);
        keepLast(this.batchLosses, record.loss);
      }
      if (record.type === 'start') this.epochs = { done: 0, of: record.epochs };
      if (record.type === 'epoch') {
        if (this.epochs !== null) this.epochs.done = record.epoch + 1;
        keepLast(this.epochLosses, record.loss);
        keepLast(this.valLosses, record.val_loss);
      }
      this.progressFrame ??= requestAnimationFrame(() => this.renderProgress());
    } else if (message.type === 'lr-plan') {
      this.charts.showPlan(message.points, message.epochs);
      // The planned rates, and whether they came before training did (plot_learning_rate's cell precedes fit's).
      element('lr-chart').dataset.plan = JSON.stringify({ rates: message.points.map((p) => p.y), beforeTraining: this.epochs === null });
    } else if (message.type === 'picture') {
      void this.pictures.show(message.picture);
    } else if (message.type === 'log') {
      const log = element('run-log');
      log.textContent = `${log.textContent}${message.text}`.split('\n').slice(-LOG_LINES - 1).join('\n');
    } else if (message.type === 'data') {
      const key = message.state === 'loading' ? 'dataLoading' : message.verified === false ? 'dataUnverified' : message.fromCache ? 'dataFromCache' : 'dataReady';
      document.body.dataset.dataFromCache = String(message.fromCache ?? '');
      this.setState(this.state, () => text(key, { dataset: message.dataset }));
    } else if (message.type === 'state') {
      this.setState(message.state, () => text(message.state));
    } else if (message.type === 'check') {
      this.lastCheck = message.checks;
      document.body.dataset.check = JSON.stringify(message.checks);
    } else if (message.type === 'kept') {
      void this.models.refresh().then(() => (this.drawWhenKept ? this.pad.use(message.model.id) : undefined));
    } else if (message.type === 'error') {
      this.showError(message.error, false);
    } else if (message.type === 'done') {
      this.runId = null;
      document.body.dataset.lastStatus = message.status;
      const seconds = message.seconds.toFixed(1);
      const check = this.lastCheck;
      this.setState('idle', () => {
        if (message.status === 'failed') return text('failed');
        if (check === null) return text(message.status, { seconds });
        const loss = Math.max(...check.map((c) => Math.abs(c.loss - c.referenceLoss) / c.referenceLoss));
        const gradients = Math.max(...check.flatMap((c) => c.gradients));
        return text('checkResult', { engines: check.map((c) => c.engine).join(', '), loss: loss.toExponential(1), gradients: gradients.toExponential(1) });
      });
    }
  }

  private renderProgress(): void {
    this.progressFrame = null;
    const tensors = element('tensor-text');
    const count = this.tensorCounts.at(-1);
    tensors.textContent = count === undefined ? '' : text('tensors', { count });
    // For tests and curious readers of the DOM.
    tensors.dataset.counts = this.tensorCounts.join(',');
    Object.assign(element('loss-chart').dataset, { batchLosses: this.batchLosses.join(','), epochLosses: this.epochLosses.join(','), valLosses: this.valLosses.join(',') });
    element('epoch-text').textContent = this.epochs === null ? '' : text('epochProgress', { epoch: this.epochs.done, epochs: this.epochs.of });
  }

  /** The worker failed outside any run's care (it did not load, or threw at the top): the run, if any, is over. */
  private onCrash(message: string): void {
    if (this.runId !== null) document.body.dataset.lastStatus = 'failed';
    this.runId = null;
    this.setState('idle', () => text('failed'));
    this.showError({ message }, false);
  }

  private setState(state: RunState, line: () => string): void {
    this.state = state;
    this.stateLine = line;
    document.body.dataset.state = state;
    this.render();
  }

  private showError(report: ErrorReport, syntax: boolean): void {
    this.error = { report, syntax };
    this.code.markError(report.line ?? null);
    this.render();
  }

  private clearError(): void {
    this.error = null;
    this.code.markError(null);
  }

  /** Writes every text that depends on the language or the state. */
  private render(): void {
    const list = element('step-list');
    list.replaceChildren(
      ...STEPS.map((step, index) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.step = step.id;
        const number = document.createElement('span');
        number.className = 'step-id';
        number.dir = 'ltr';
        number.textContent = step.id;
        button.append(number, step.about ? stepText(step.about).title : '');
        button.setAttribute('aria-current', String(index === this.stepIndex));
        button.addEventListener('click', () => this.showStep(index));
        item.append(button);
        return item;
      }),
    );
    this.renderLesson();
    this.renderEngines();
    this.renderButtons();
    element('run-state').textContent = this.stateLine();
    this.renderError();
  }

  private renderLesson(): void {
    const step = STEPS[this.stepIndex];
    const about = step.about;
    element('step-status').textContent = text('stepStatus', { step: this.stepIndex + 1, steps: STEPS.length, source: about?.source ?? step.file });
    if (about === null) {
      element('step-title').textContent = step.id;
      element('lesson-text').textContent = text('noAbout');
      element('lesson-codelab').textContent = '';
      return;
    }
    const words = stepText(about);
    element('step-title').textContent = words.title;
    element('lesson-text').replaceChildren(
      ...lessonPieces(words.lesson).map(({ text: piece, flag }) =>
        flag ? Object.assign(document.createElement('code'), { className: 'flag', dir: 'ltr', textContent: piece }) : piece,
      ),
    );
    element('lesson-codelab').textContent = `${text('codelabSays')} ${words.codelab}. ${text('passBar', { bar: about.passBar })}`;
  }

  private renderEngines(): void {
    const s = strings();
    const select = element<HTMLSelectElement>('engine-select');
    const option = (value: EngineChoice, label: string, enabled: boolean) => {
      const o = new Option(label, value);
      o.disabled = !enabled;
      return o;
    };
    const label = (e: EngineStatus) => (e.ok ? (e.software ? `${e.name} (${s.engineSoftware})` : e.name) : `${e.name}: ${s.engineUnavailable}`);
    select.replaceChildren(option('auto', s.engineAuto, true), ...this.engines.map((e) => option(e.name, label(e), e.ok)));
    select.value = this.engineChoice;
    const active = this.engines.find((e) => e.name === this.activeEngine);
    element('engine-status').textContent = this.state === 'starting' ? s.engineStarting : (this.activeEngine ?? s.engineNone);
    element('engine-detail').textContent = active?.wasm ? wasmDetail(active.wasm) : (active?.detail ?? '');
    select.title = this.engines.map((e) => `${e.name}: ${e.ok ? e.detail : e.reason}`).join('\n');
    document.body.dataset.engine = this.activeEngine ?? '';
    document.body.dataset.engines = JSON.stringify(this.engines);
  }

  private renderButtons(): void {
    const running = this.state === 'running' || this.state === 'paused';
    const idle = this.state === 'idle' && this.activeEngine !== null;
    element<HTMLButtonElement>('train').disabled = !idle;
    element<HTMLButtonElement>('check').disabled = !idle;
    const pause = element<HTMLButtonElement>('pause');
    pause.disabled = !running;
    pause.textContent = this.state === 'paused' ? text('resume') : text('pause');
    element<HTMLButtonElement>('stop').disabled = !running;
  }

  private renderError(): void {
    const box = element('run-error');
    box.hidden = this.error === null;
    if (this.error === null) return;
    const { report, syntax } = this.error;
    const values = { line: report.line ?? '', column: report.column ?? '', message: report.message };
    const headline = syntax ? text('syntaxError', values) : report.line !== undefined ? text('runtimeError', values) : text('error', values);
    const lines = [headline];
    if (report.hint) lines.push(text('hint', { hint: report.hint }));
    box.textContent = lines.join('\n');
    box.dataset.line = String(report.line ?? '');
    box.dataset.code = report.code ?? '';
  }
}

new LabPage();

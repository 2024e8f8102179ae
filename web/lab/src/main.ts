// Entry of the static lab page: steps, lesson, code, engine and language, and what the training worker reports.
import { DATASET_NAMES } from '../../../src/data/datasets.js';
import { CodePanel } from './code-panel.js';
import { Curves } from './curves.js';
import { isLanguage, LANGUAGES, setLanguage, strings, text, type Language } from './i18n.js';
import { LabWorker } from './lab-client.js';
import { ENGINES, type DataUrls, type EngineChoice, type EngineName, type EngineStatus, type ErrorReport, type WorkerMessage } from './protocol.js';
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

function initialLanguage(): Language {
  const asked = params.get('lang') ?? localStorage.getItem(LANGUAGE_KEY);
  if (isLanguage(asked)) return asked;
  return navigator.language.startsWith('he') ? 'he' : 'en';
}

function initialEngine(): EngineChoice {
  const asked = params.get('engine') ?? localStorage.getItem(ENGINE_KEY);
  return (ENGINES as readonly string[]).includes(asked ?? '') ? (asked as EngineName) : 'auto';
}

function keepLast(values: number[], value: number): void {
  values.push(value);
  if (values.length > SAMPLES) values.shift();
}

class LabPage {
  private readonly charts: Curves;
  private readonly code: CodePanel;
  private readonly worker: LabWorker;
  private stepIndex = 0;
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
  private readonly tensorCounts: number[] = [];
  private readonly batchLosses: number[] = [];
  private epochs: { done: number; of: number } | null = null;
  /** Records arrive by the hundred: their numbers reach the DOM once per animation frame. */
  private progressFrame: number | null = null;

  constructor() {
    setLanguage(initialLanguage());
    this.charts = new Curves(
      { loss: element('loss-chart'), accuracy: element('accuracy-chart'), lr: element('lr-chart') },
      strings().charts,
      CHART_REDRAW_MS,
    );
    this.code = new CodePanel(element('editor'), (edited) => this.onEdit(edited));
    this.worker = new LabWorker(
      (message) => this.onMessage(message),
      (message) => this.onCrash(message),
    );
    this.wireControls();
    this.showStep(0);
    this.render();
    this.worker.configure(dataUrls(), this.engineChoice);
    preloadTransform();
  }

  private wireControls(): void {
    const language = element<HTMLSelectElement>('language-select');
    language.replaceChildren(...LANGUAGES.map((lang) => new Option(lang === 'he' ? 'עברית' : 'English', lang)));
    language.value = document.documentElement.lang;
    language.addEventListener('change', () => {
      if (!isLanguage(language.value)) return;
      localStorage.setItem(LANGUAGE_KEY, language.value);
      setLanguage(language.value);
      this.charts.setLabels(strings().charts);
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
      this.edits.delete(STEPS[this.stepIndex].id);
      this.code.reset();
      this.onEdit(false);
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

  private async train(): Promise<void> {
    if (this.state !== 'idle') return;
    const step = STEPS[this.stepIndex];
    this.clearError();
    this.setState('transforming', () => text('transforming'));
    const transformed = await transformLabFile(this.code.text, step.file);
    if (!transformed.ok) {
      this.setState('idle', () => text('failed'));
      document.body.dataset.lastStatus = 'failed';
      this.showError(transformed.error, true);
      return;
    }
    this.charts.reset();
    this.tensorCounts.length = 0;
    this.batchLosses.length = 0;
    this.epochs = null;
    this.renderProgress();
    element('run-log').textContent = '';
    this.runId = this.worker.run(step.file, transformed.code);
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
    if (message.type === 'error' && message.runId === null) {
      this.showError(message.error, false);
      return;
    }
    if (message.runId !== this.runId) return; // an old run's last words
    if (message.type === 'record') {
      const record = message.record;
      this.charts.add([record]);
      keepLast(this.tensorCounts, message.numTensors);
      if (record.type === 'batch') keepLast(this.batchLosses, record.loss);
      if (record.type === 'start') this.epochs = { done: 0, of: record.epochs };
      if (record.type === 'epoch' && this.epochs !== null) this.epochs.done = record.epoch + 1;
      this.progressFrame ??= requestAnimationFrame(() => this.renderProgress());
    } else if (message.type === 'log') {
      const log = element('run-log');
      const lines = `${log.textContent}${message.text}\n`.split('\n');
      log.textContent = lines.slice(-LOG_LINES - 1).join('\n');
    } else if (message.type === 'data') {
      const key = message.state === 'loading' ? 'dataLoading' : message.verified === false ? 'dataUnverified' : message.fromCache ? 'dataFromCache' : 'dataReady';
      document.body.dataset.dataFromCache = String(message.fromCache ?? '');
      this.setState(this.state, () => text(key, { dataset: message.dataset }));
    } else if (message.type === 'state') {
      this.setState(message.state, () => text(message.state));
    } else if (message.type === 'error') {
      this.showError(message.error, false);
    } else if (message.type === 'done') {
      this.runId = null;
      document.body.dataset.lastStatus = message.status;
      const seconds = message.seconds.toFixed(1);
      this.setState('idle', () => (message.status === 'failed' ? text('failed') : text(message.status, { seconds })));
    }
  }

  private renderProgress(): void {
    this.progressFrame = null;
    const tensors = element('tensor-text');
    const count = this.tensorCounts.at(-1);
    tensors.textContent = count === undefined ? '' : text('tensors', { count });
    tensors.dataset.counts = this.tensorCounts.join(','); // for tests and curious readers of the DOM
    element('loss-chart').dataset.batchLosses = this.batchLosses.join(',');
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
    const s = strings();
    const list = element('step-list');
    list.replaceChildren(
      ...STEPS.map((step, index) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = s.stepTitles[step.id] ?? step.id;
        button.dataset.step = step.id;
        button.setAttribute('aria-current', String(index === this.stepIndex));
        button.addEventListener('click', () => this.showStep(index));
        item.append(button);
        return item;
      }),
    );
    const step = STEPS[this.stepIndex];
    element('step-status').textContent = text('stepStatus', { step: this.stepIndex + 1, steps: STEPS.length });
    element('step-title').textContent = s.stepTitles[step.id] ?? step.id;
    element('lesson-text').textContent = s.lessons[step.id] ?? s.lessonMissing;
    this.renderEngines();
    this.renderButtons();
    element('run-state').textContent = this.stateLine();
    this.renderError();
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
    element('engine-detail').textContent = active?.detail ?? '';
    select.title = this.engines.map((e) => `${e.name}: ${e.ok ? e.detail : e.reason}`).join('\n');
    document.body.dataset.engine = this.activeEngine ?? '';
    document.body.dataset.engines = JSON.stringify(this.engines);
  }

  private renderButtons(): void {
    const running = this.state === 'running' || this.state === 'paused';
    element<HTMLButtonElement>('train').disabled = this.state !== 'idle' || this.activeEngine === null;
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

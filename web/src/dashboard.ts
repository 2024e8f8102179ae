// The live dashboard: lists runs, starts a preset's training, and follows a run's history over server-sent events.
import type { PresetInfo } from '../../src/server/run-routes.js';
import type { RunDetail, RunSummary } from '../../src/server/runs.js';
import type { EpochRecord, HistoryRecord } from '../../src/run/schema.js';
import { getJson, postJson } from './api.js';
import { TrainingCharts } from './charts.js';
import { pictureFigures } from './pictures.js';

const LIST_REFRESH_MS = 4000;
/** Window event asking the pad to draw with a served model; detail: the model's name. */
export const DRAW_WITH_EVENT = 'mnist-lab:draw-with';
/** After a run ends, how often and how many times to look for its report. */
const REPORT_POLL_MS = 2000;
const REPORT_POLLS = 15;
/** How often and how long to wait for a lab's next step to start. */
const STEP_POLL_MS = 1000;
const STEP_POLLS = 600;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

/** GET /api/runs/:id: the run folder plus, for runs this server started, its process. */
type RunView = RunDetail & { process: { exitCode: number | null; log: string[] } | null };

interface RunState {
  id: string;
  epochs: number | null;
  stepsPerEpoch: number;
  source: EventSource | null;
  /** History records shown so far (also on #loss-chart's data-records, for tests). */
  records: number;
}

export class Dashboard {
  private readonly charts = new TrainingCharts(
    { loss: element<HTMLCanvasElement>('loss-chart'), accuracy: element<HTMLCanvasElement>('accuracy-chart'), lr: element<HTMLCanvasElement>('lr-chart') },
    // The y range on the canvas, for tests and curious readers of the DOM.
    { onRange: (panel, limits) => (element(`${panel}-chart`).dataset.yRange = `${limits.min},${limits.max}`) },
  );
  private presets: PresetInfo[] = [];
  private current: RunState | null = null;
  /** The steps of a lab started from this page, followed one after the other. */
  private ladder: string[] = [];

  async start(): Promise<void> {
    element<HTMLFormElement>('start-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.startTraining();
    });
    element<HTMLSelectElement>('start-preset').addEventListener('change', () => this.showPresetExplain());
    element('start-lab').addEventListener('click', () => void this.startLab());
    this.presets = (await getJson<{ presets: PresetInfo[] }>('/api/presets')).presets;
    this.fillPresets();
    await this.refreshList();
    setInterval(() => void this.refreshList(), LIST_REFRESH_MS);
  }

  private fillPresets(): void {
    const select = element<HTMLSelectElement>('start-preset');
    select.replaceChildren(
      ...this.presets.map((preset) => new Option(preset.title ? `${preset.name} · ${preset.title}` : preset.name, preset.name)),
    );
    this.showPresetExplain();
  }

  private showPresetExplain(): void {
    const name = element<HTMLSelectElement>('start-preset').value;
    element('preset-explain').textContent = this.presets.find((p) => p.name === name)?.explain ?? '';
  }

  /** The epochs / steps / limit boxes; empty ones are left to the preset. */
  private knobs(): { epochs?: number; steps?: number; limit?: number } {
    const number = (id: string) => {
      const value = element<HTMLInputElement>(id).value;
      return value === '' ? undefined : Number(value);
    };
    return { epochs: number('start-epochs'), steps: number('start-steps'), limit: number('start-limit') };
  }

  private async startTraining(): Promise<void> {
    const error = element('start-error');
    error.textContent = '';
    try {
      const { id } = await postJson<{ id: string }>('/api/runs', { preset: element<HTMLSelectElement>('start-preset').value, ...this.knobs() });
      await this.refreshList();
      await this.select(id);
    } catch (failure) {
      error.textContent = (failure as Error).message;
    }
  }

  /** Starts `mnist-lab lab` and follows its steps one after the other as they start. */
  private async startLab(): Promise<void> {
    const error = element('start-error');
    error.textContent = '';
    try {
      const { steps } = await postJson<{ steps: string[] }>('/api/labs', this.knobs());
      this.ladder = steps;
      await this.followWhenItStarts(steps[0]);
    } catch (failure) {
      error.textContent = (failure as Error).message;
    }
  }

  /** Selects run `id` as soon as its folder shows up in the list (a lab's next step). */
  private async followWhenItStarts(id: string): Promise<void> {
    for (let attempt = 0; attempt < STEP_POLLS; attempt++) {
      const { runs } = await getJson<{ runs: RunSummary[] }>('/api/runs');
      if (runs.some((run) => run.id === id)) {
        await this.refreshList();
        await this.select(id);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_POLL_MS));
    }
  }

  private async refreshList(): Promise<void> {
    const { runs } = await getJson<{ runs: RunSummary[] }>('/api/runs');
    const list = element<HTMLUListElement>('run-list');
    if (runs.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'No runs yet: start one above, or run `mnist-lab lab` in the folder the server reads.';
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren(...runs.map((run) => this.runItem(run)));
  }

  private runItem(run: RunSummary): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset.id = run.id;
    item.classList.toggle('selected', run.id === this.current?.id);
    const accuracy = run.metrics ? ` · test accuracy ${(run.metrics.test_accuracy * 100).toFixed(2)}%` : '';
    const epochs = run.epochsPlanned ? ` · epoch ${run.epochsDone}/${run.epochsPlanned}` : '';
    item.innerHTML = `<strong></strong> <span class="status ${run.status}">${run.status}</span><span class="meta"></span>`;
    (item.querySelector('strong') as HTMLElement).textContent = run.preset ?? '?';
    (item.querySelector('.meta') as HTMLElement).textContent = `${run.id}${epochs}${accuracy}`;
    item.addEventListener('click', () => void this.select(run.id));
    return item;
  }

  /** Shows a run: its history so far, then live records while it trains. */
  async select(id: string): Promise<void> {
    this.current?.source?.close();
    this.current = { id, epochs: null, stepsPerEpoch: 1, source: null, records: 0 };
    element('loss-chart').dataset.records = '0';
    element('run-list').querySelectorAll('li').forEach((item) => item.classList.toggle('selected', item.dataset.id === id));
    element('run-view').hidden = false;
    element('no-run').hidden = true;
    this.charts.reset();
    const detail = await this.showDetail(id);
    this.charts.setZoom(detail.history.findLast((r) => r.type === 'start')?.zoom ?? 1);
    if (detail.status === 'running') this.attach(id);
    else for (const record of detail.history) this.onRecord(record);
  }

  private async showDetail(id: string): Promise<RunView> {
    const detail = await getJson<RunView>(`/api/runs/${encodeURIComponent(id)}`);
    if (this.current?.id !== id) return detail;
    element('run-title').textContent = `${detail.preset ?? '?'} · ${id}`;
    this.setStatus(detail.status);
    element('run-log').textContent = detail.process?.log.slice(-5).join('\n') ?? '';
    const report = element('run-report');
    report.replaceChildren();
    if (detail.hasReport) {
      const link = document.createElement('a');
      link.href = `/api/runs/${encodeURIComponent(id)}/report`;
      link.target = '_blank';
      link.textContent = 'Open the full report';
      report.append(link);
    }
    if (detail.hasModel) {
      const draw = document.createElement('button');
      draw.type = 'button';
      draw.id = 'run-draw';
      draw.textContent = 'Draw with this model';
      draw.addEventListener('click', () => void this.drawWith(id, draw));
      report.append(draw);
    }
    element('run-pictures').replaceChildren(...pictureFigures(id, detail.pictures));
    return detail;
  }

  /** Has the server serve the run's model, then switches to the pad with it. */
  private async drawWith(id: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const { name } = await postJson<{ name: string }>(`/api/runs/${encodeURIComponent(id)}/model`, {});
      window.dispatchEvent(new CustomEvent(DRAW_WITH_EVENT, { detail: name }));
    } catch (failure) {
      element('run-log').textContent = (failure as Error).message;
    } finally {
      button.disabled = false;
    }
  }

  private setStatus(status: string): void {
    const badge = element('run-status');
    badge.textContent = status;
    badge.className = `status ${status}`;
  }

  /**
   * Follows the run's history.jsonl; the server replays it from the start, then sends new lines. A run this
   * server started ends with an "exit" event once its process is done (pictures and report written); a run
   * started elsewhere ends when the server closes the stream after the "end" record; a run whose process died
   * without one ends with a "status" event.
   */
  private attach(id: string): void {
    const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
    if (this.current) this.current.source = source;
    let ended = false;
    source.onmessage = (event: MessageEvent<string>) => {
      const record = JSON.parse(event.data) as HistoryRecord;
      this.onRecord(record);
      if (record.type === 'epoch') void this.showDetail(id);
      if (record.type === 'end') ended = true;
    };
    source.addEventListener('exit', () => void this.finish(source, id));
    // A run whose process is gone without an end record: the server sends its status and closes the stream.
    source.addEventListener('status', (event: MessageEvent<string>) => {
      this.setStatus((JSON.parse(event.data) as { status: string }).status);
      void this.finish(source, id);
    });
    source.onerror = () => {
      if (ended) void this.finish(source, id);
    };
  }

  /** Closes the stream and shows the final state, looking again for a while until the report is written. */
  private async finish(source: EventSource, id: string): Promise<void> {
    source.close();
    void this.refreshList();
    const next = this.ladder[this.ladder.indexOf(id) + 1];
    if (this.ladder.includes(id) && next !== undefined) {
      void this.followWhenItStarts(next);
      return;
    }
    for (let attempt = 0; attempt < REPORT_POLLS && this.current?.id === id; attempt++) {
      const detail = await this.showDetail(id);
      if (detail.hasReport || detail.status === 'failed') return;
      await new Promise((resolve) => setTimeout(resolve, REPORT_POLL_MS));
    }
  }

  private onRecord(record: HistoryRecord): void {
    const state = this.current;
    if (state === null) return;
    this.charts.add(record);
    if (record.type === 'start') {
      state.epochs = record.epochs;
      state.stepsPerEpoch = Math.max(1, record.stepsPerEpoch);
      this.showProgress(record.initialEpoch);
    } else if (record.type === 'batch') {
      this.showProgress(record.epoch + (record.step + 1) / state.stepsPerEpoch, record.lr);
    } else if (record.type === 'epoch') {
      this.showProgress(record.epoch + 1, record.lr, record);
    } else if (record.type === 'end') {
      this.setStatus(record.status);
    }
    state.records += 1;
    element('loss-chart').dataset.records = String(state.records);
  }

  private showProgress(epochsDone: number, lr?: number, epoch?: EpochRecord): void {
    const total = this.current?.epochs ?? 1;
    const progress = element<HTMLProgressElement>('epoch-progress');
    progress.max = total;
    progress.value = epochsDone;
    element('epoch-text').textContent = `epoch ${Math.min(total, Math.ceil(epochsDone))}/${total}`;
    if (lr !== undefined) element('lr-text').textContent = `learning rate ${lr.toPrecision(3)}`;
    if (epoch !== undefined) {
      element('val-text').textContent = `validation accuracy ${(epoch.val_accuracy * 100).toFixed(2)}% · loss ${epoch.val_loss.toFixed(4)}`;
    }
  }
}

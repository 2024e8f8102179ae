// The kept models: a table to compare them (and pick which curves to overlay), and each one's draw, download and delete.
import type { CompareRun } from '../../../src/viz/chart-configs.js';
import { curveSeries } from '../../../src/viz/curve-data.js';
import { text, type TextKey } from './i18n.js';
import { listKeptModels, type KeptModel } from './model-store.js';

/** How many of the newest models the comparison overlays until the learner picks. */
const COMPARED_AT_FIRST = 5;

export interface ModelActions {
  draw(model: KeptModel): void;
  download(model: KeptModel): void;
  forget(model: KeptModel): void;
  /** The checked models' validation curves, to overlay. */
  compare(runs: CompareRun[]): void;
  /** The list changed (the pad offers the same models). */
  listed(models: readonly KeptModel[]): void;
}

const COLUMNS: TextKey[] = ['modelCompare', 'modelStep', 'modelEngine', 'modelEpochs', 'modelAccuracy', 'modelSpeed', 'modelTime'];

function cell(content: string | Node, ltr = false): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(content);
  if (ltr) td.dir = 'ltr';
  return td;
}

function button(label: TextKey, action: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text(label);
  b.dataset.action = action;
  b.addEventListener('click', onClick);
  return b;
}

export class ModelsPanel {
  private models: KeptModel[] = [];
  /** Ids the learner ticked for the comparison; null until they tick one. */
  private compared: Set<string> | null = null;

  constructor(
    private readonly table: HTMLTableElement,
    private readonly empty: HTMLElement,
    private readonly actions: ModelActions,
  ) {}

  /** Reads the kept models again from IndexedDB and shows them. */
  async refresh(): Promise<void> {
    this.models = await listKeptModels();
    this.actions.listed(this.models);
    this.render();
  }

  private isCompared(model: KeptModel, index: number): boolean {
    return this.compared === null ? index < COMPARED_AT_FIRST : this.compared.has(model.id);
  }

  private toggle(model: KeptModel, on: boolean): void {
    this.compared ??= new Set(this.models.filter((m, i) => this.isCompared(m, i)).map((m) => m.id));
    if (on) this.compared.add(model.id);
    else this.compared.delete(model.id);
    this.sendComparison();
  }

  private sendComparison(): void {
    const runs = this.models
      .filter((m, i) => this.isCompared(m, i))
      .map((m) => ({ name: `${m.step} ${m.engine} ${m.time.slice(11, 19)}`, valAccuracy: curveSeries(m.history).valAccuracy }));
    this.table.dataset.compared = runs.map((r) => r.name).join('\n');
    this.actions.compare(runs);
  }

  /** Writes the table in the page's language. */
  render(): void {
    this.empty.hidden = this.models.length > 0;
    this.table.hidden = this.models.length === 0;
    const head = document.createElement('tr');
    head.append(...COLUMNS.map((key) => Object.assign(document.createElement('th'), { textContent: text(key) })), document.createElement('th'));
    const rows = this.models.map((model, index) => {
      const row = document.createElement('tr');
      row.dataset.model = model.id;
      const tick = Object.assign(document.createElement('input'), { type: 'checkbox', checked: this.isCompared(model, index) });
      tick.addEventListener('change', () => this.toggle(model, tick.checked));
      const name = document.createElement('span');
      name.append(Object.assign(document.createElement('bdi'), { textContent: model.step, dir: 'ltr' }));
      for (const [flag, label] of [
        [model.edited, 'modelEdited'],
        [model.status === 'stopped', 'modelStopped'],
      ] as const) {
        if (flag) name.append(' ', Object.assign(document.createElement('span'), { className: 'badge', textContent: text(label) }));
      }
      const m = model.metrics;
      const buttons = document.createElement('span');
      buttons.className = 'actions';
      buttons.append(
        button('draw', 'draw', () => this.actions.draw(model)),
        button('download', 'download', () => this.actions.download(model)),
        button('forget', 'forget', () => this.actions.forget(model)),
      );
      row.append(
        cell(tick),
        cell(name),
        cell(model.engine, true),
        cell(m === null ? '–' : String(m.epochs), true),
        cell(m === null ? '–' : m.test_accuracy.toFixed(4), true),
        cell(m === null ? '–' : m.images_per_second.toLocaleString('en-US'), true),
        cell(new Date(model.time).toLocaleString(document.documentElement.lang), true),
        cell(buttons),
      );
      return row;
    });
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    tbody.append(...rows);
    this.table.replaceChildren(thead, tbody);
    this.sendComparison();
  }
}

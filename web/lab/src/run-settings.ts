// The run settings panel: the dataset and what shortens a run, as `mnist-lab run`'s flags; filled from the page's URL.
import { DATASET_NAMES } from '../../../src/data/datasets.js';
import type { DatasetName } from '../../../src/data/types.js';
import { LIMITS, withinLimit } from '../../../src/run/limits.js';
import { NO_OVERRIDES, type Overrides } from '../../../src/run/schema.js';
import { text, type TextKey } from './i18n.js';

/** Each setting: its Overrides key, the page parameter (the CLI flag's name) and its label. */
const FIELDS = [
  { key: 'epochs', param: 'epochs', label: 'epochs' },
  { key: 'steps', param: 'steps', label: 'stepsPerEpoch' },
  { key: 'limit', param: 'limit', label: 'limit' },
  { key: 'valLimit', param: 'val-limit', label: 'valLimit' },
  { key: 'batchSize', param: 'batch-size', label: 'batchSize' },
] as const satisfies readonly { key: keyof Overrides; param: string; label: TextKey }[];

export type Settings = { ok: true; dataset: DatasetName; overrides: Overrides } | { ok: false; message: string };

export class RunSettings {
  private readonly inputs = new Map<keyof Overrides, HTMLInputElement>();
  private readonly dataset: HTMLSelectElement;

  /** Builds the fields in `form`, each filled from `params` (`?epochs=1&steps=20&limit=2000&val-limit=500&dataset=…`). */
  constructor(form: HTMLElement, params: URLSearchParams) {
    this.dataset = document.createElement('select');
    this.dataset.id = 'setting-dataset';
    this.dataset.append(...DATASET_NAMES.map((name) => new Option(name, name)));
    const asked = params.get('dataset');
    if ((DATASET_NAMES as readonly string[]).includes(asked ?? '')) this.dataset.value = asked as string;
    form.append(this.field('dataset', this.dataset));
    for (const { key, param, label } of FIELDS) {
      const input = document.createElement('input');
      input.type = 'number';
      input.id = `setting-${param}`;
      input.min = String(LIMITS[key].min);
      input.max = String(LIMITS[key].max);
      input.step = LIMITS[key].integer ? '1' : 'any';
      input.value = params.get(param) ?? '';
      input.dir = 'ltr';
      this.inputs.set(key, input);
      form.append(this.field(label, input));
    }
  }

  private field(label: TextKey, control: HTMLElement): HTMLLabelElement {
    const wrapper = document.createElement('label');
    const name = document.createElement('span');
    name.dataset.text = label;
    name.textContent = text(label);
    wrapper.append(name, control);
    return wrapper;
  }

  /** The settings, or the first value out of its range (each is a whole number, as the CLI's flags are). */
  read(): Settings {
    const overrides: Overrides = { ...NO_OVERRIDES };
    for (const { key, label } of FIELDS) {
      const raw = this.inputs.get(key)?.value.trim() ?? '';
      if (raw === '') continue;
      const value = Number(raw);
      if (!withinLimit(LIMITS[key], value)) {
        return { ok: false, message: text('settingsError', { name: text(label), min: LIMITS[key].min, max: LIMITS[key].max, value: raw }) };
      }
      overrides[key] = value;
    }
    return { ok: true, dataset: this.dataset.value as DatasetName, overrides };
  }
}

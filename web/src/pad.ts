// The drawing pad: draw with mouse or touch, preprocess the MNIST way, predict in the page or through the server.
import { NUM_CLASSES } from '../../src/data/types.js';
import { imageRows } from '../../src/predict/image-rows.js';
import { getJson, postJson } from './api.js';
import { PadCanvas, showProbabilityBars } from './pad-canvas.js';
import { PagePredictor } from './page-predictor.js';

interface ServedModelInfo {
  name: string;
}

interface Prediction {
  probabilities: number[];
  source: 'page' | 'server';
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

export class DrawingPad {
  private readonly surface = new PadCanvas(element('pad-canvas'), element('pad-preview'), () => void this.predict());
  private readonly predictor = new PagePredictor();
  /** Name of the served model loaded in the worker; empty until one is. */
  private modelName = '';
  /** Increases with every prediction request, so a slow answer never overwrites a newer one. */
  private sequence = 0;

  /** Starts the pad with `preferred` (a served model's name) or the first served model. */
  async start(preferred?: string): Promise<void> {
    this.clear();
    element('pad-clear').addEventListener('click', () => this.clear());
    element('pad-server').addEventListener('change', () => void this.predict());
    const select = element<HTMLSelectElement>('pad-model');
    select.addEventListener('change', () => void this.loadModel(select.value));
    await this.refreshModels(preferred);
  }

  /**
   * Lists the served models again (the dashboard may have added a run's) and loads `preferred`, else keeps
   * the current model, else takes the first.
   */
  async refreshModels(preferred?: string): Promise<void> {
    const select = element<HTMLSelectElement>('pad-model');
    const { models } = await getJson<{ models: ServedModelInfo[] }>('/v1/models');
    const names = models.map((m) => m.name);
    select.replaceChildren(...names.map((name) => new Option(name, name)));
    if (names.length === 0) {
      element('pad-prediction').textContent = '–';
      element('pad-agreement').textContent =
        'No model is served yet: pick a finished run on the dashboard and press "Draw with this model", or start the server with --run DIR.';
      return;
    }
    const wanted = [preferred, this.modelName].find((name) => name !== undefined && names.includes(name)) ?? names[0];
    select.value = wanted;
    if (wanted !== this.modelName) await this.loadModel(wanted);
  }

  private async loadModel(name: string): Promise<void> {
    this.modelName = '';
    await this.predictor.load(new URL(`/models/${encodeURIComponent(name)}/model.json`, location.href).href);
    this.modelName = name;
    document.body.dataset.padModel = name;
    await this.predict();
  }

  clear(): void {
    this.surface.clear();
    this.sequence += 1;
    this.showPrediction(null);
  }

  private async predict(): Promise<void> {
    if (this.modelName === '') return;
    const sequence = ++this.sequence;
    const image = this.surface.image();
    if (image.every((v) => v === 0)) return this.showPrediction(null);
    const inPage = await this.predictInPage(image);
    const viaServer = element<HTMLInputElement>('pad-server').checked ? await this.predictOnServer(image) : null;
    if (sequence !== this.sequence) return;
    this.showPrediction(viaServer ?? inPage, viaServer ? inPage : null);
  }

  private async predictInPage(image: Float32Array): Promise<Prediction> {
    return { probabilities: await this.predictor.predict(image), source: 'page' };
  }

  private async predictOnServer(image: Float32Array): Promise<Prediction> {
    const { predictions } = await postJson<{ predictions: { probabilities: number[] }[] }>(
      `/v1/models/${encodeURIComponent(this.modelName)}:predict`,
      { instances: [{ image: imageRows(image) }] },
    );
    return { probabilities: predictions[0].probabilities, source: 'server' };
  }

  /** Shows the bars of `shown`; with `other` (the in-page answer when the server answered) also their agreement. */
  private showPrediction(shown: Prediction | null, other: Prediction | null = null): void {
    const label = element('pad-prediction');
    const agreement = element('pad-agreement');
    const probabilities = shown?.probabilities ?? new Array<number>(NUM_CLASSES).fill(0);
    const top = shown ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    label.textContent = shown ? `${top}  (${(probabilities[top] * 100).toFixed(1)}%, ${shown.source === 'page' ? 'in the page' : 'server API'})` : 'draw a digit';
    label.dataset.class = shown ? String(top) : '';
    label.dataset.source = shown?.source ?? '';
    label.dataset.probabilities = JSON.stringify(probabilities);
    if (other !== null) {
      const otherTop = other.probabilities.indexOf(Math.max(...other.probabilities));
      const difference = Math.max(...probabilities.map((p, k) => Math.abs(p - other.probabilities[k])));
      agreement.textContent = `in the page: ${otherTop} · largest probability difference ${difference.toExponential(1)}`;
      agreement.dataset.pageClass = String(otherTop);
      agreement.dataset.maxDifference = String(difference);
    } else {
      agreement.textContent = '';
      delete agreement.dataset.pageClass;
      delete agreement.dataset.maxDifference;
    }
    showProbabilityBars(element('pad-bars'), probabilities, top);
  }
}

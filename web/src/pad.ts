// The drawing pad: draw with mouse or touch, preprocess the MNIST way, predict in the page or through the server.
import { IMAGE_SIZE, NUM_CLASSES } from '../../src/data/types.js';
import { imageRows } from '../../src/predict/image-rows.js';
import { mnistify } from '../../src/predict/mnistify.js';
import { getJson, postJson } from './api.js';
import type { WorkerRequest, WorkerResponse } from './predict-worker.js';

const STROKE_WIDTH = 20;

interface ServedModelInfo {
  name: string;
}

interface Prediction {
  probabilities: number[];
  source: 'page' | 'server';
}

type WorkerCall = { type: 'load'; url: string } | { type: 'predict'; image: Float32Array };

/** The in-page model, run by TF.js in a web worker; each call resolves with its own answer. */
class PagePredictor {
  private readonly worker = new Worker(new URL('./predict-worker.ts', import.meta.url), { type: 'module' });
  private readonly pending = new Map<number, { resolve(p: number[] | undefined): void; reject(e: Error): void }>();
  private nextId = 0;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const { id, probabilities, error } = event.data;
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) call?.reject(new Error(error));
      else call?.resolve(probabilities);
    };
  }

  async load(url: string): Promise<void> {
    await this.call({ type: 'load', url });
  }

  async predict(image: Float32Array): Promise<number[]> {
    return (await this.call({ type: 'predict', image })) as number[];
  }

  private call(request: WorkerCall): Promise<number[] | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } satisfies WorkerRequest);
    });
  }
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lacks #${id}`);
  return found as T;
}

export class DrawingPad {
  private readonly canvas = element<HTMLCanvasElement>('pad-canvas');
  private readonly context = this.canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  private readonly predictor = new PagePredictor();
  /** Name of the served model loaded in the worker; empty until one is. */
  private modelName = '';
  private drawing = false;
  private frame: number | null = null;
  /** Increases with every prediction request, so a slow answer never overwrites a newer one. */
  private sequence = 0;

  /** Starts the pad with `preferred` (a served model's name) or the first served model. */
  async start(preferred?: string): Promise<void> {
    this.clear();
    this.listenToPointer();
    element('pad-clear').addEventListener('click', () => this.clear());
    element('pad-server').addEventListener('change', () => this.schedulePredict());
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
    this.schedulePredict();
  }

  private listenToPointer(): void {
    const point = (event: PointerEvent): [number, number] => {
      const box = this.canvas.getBoundingClientRect();
      return [((event.clientX - box.left) * this.canvas.width) / box.width, ((event.clientY - box.top) * this.canvas.height) / box.height];
    };
    this.canvas.addEventListener('pointerdown', (event) => {
      this.drawing = true;
      this.canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      this.context.beginPath();
      this.context.moveTo(x, y);
      this.context.lineTo(x, y);
      this.context.stroke();
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!this.drawing) return;
      const [x, y] = point(event);
      this.context.lineTo(x, y);
      this.context.stroke();
      this.schedulePredict();
    });
    const stop = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.schedulePredict();
    };
    this.canvas.addEventListener('pointerup', stop);
    this.canvas.addEventListener('pointercancel', stop);
  }

  clear(): void {
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.context.strokeStyle = '#fff';
    this.context.lineWidth = STROKE_WIDTH;
    this.context.lineCap = 'round';
    this.context.lineJoin = 'round';
    this.sequence += 1;
    this.showImage(new Float32Array(IMAGE_SIZE * IMAGE_SIZE));
    this.showPrediction(null);
  }

  /** At most one prediction per animation frame, however fast the pointer moves. */
  private schedulePredict(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      void this.predict();
    });
  }

  /** The canvas as the 28×28 image the model sees: white ink on black, MNIST-preprocessed. */
  private image(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.context.getImageData(0, 0, width, height).data;
    const grey = new Float32Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i] / 255;
    return mnistify(grey, width, height);
  }

  private async predict(): Promise<void> {
    if (this.modelName === '') return;
    const sequence = ++this.sequence;
    const image = this.image();
    this.showImage(image);
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

  private showImage(image: Float32Array): void {
    const preview = element<HTMLCanvasElement>('pad-preview');
    const context = preview.getContext('2d') as CanvasRenderingContext2D;
    const pixels = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    image.forEach((v, i) => {
      const level = Math.round(v * 255);
      pixels.data.set([level, level, level, 255], 4 * i);
    });
    context.putImageData(pixels, 0, 0);
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
    element('pad-bars').replaceChildren(
      ...probabilities.map((p, k) => {
        const item = document.createElement('li');
        item.classList.toggle('top', k === top);
        item.innerHTML = `<span class="bar" style="width:${(p * 180).toFixed(1)}px"></span>${(p * 100).toFixed(1)}%`;
        return item;
      }),
    );
  }
}

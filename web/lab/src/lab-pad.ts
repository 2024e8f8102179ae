// The lab's drawing pad: draw a digit for any model kept in this browser, predicted in a worker straight from IndexedDB.
import { PadCanvas, showProbabilityBars } from '../../src/pad-canvas.js';
import { PagePredictor } from '../../src/page-predictor.js';
import { text } from './i18n.js';
import { modelUrl, type KeptModel } from './model-store.js';

export interface PadElements {
  canvas: HTMLCanvasElement;
  preview: HTMLCanvasElement;
  select: HTMLSelectElement;
  clear: HTMLButtonElement;
  prediction: HTMLElement;
  bars: HTMLElement;
}

export class LabPad {
  private readonly surface: PadCanvas;
  private predictor: PagePredictor | null = null;
  /** The model loaded in the predictor; empty until one is. */
  private loaded = '';
  /** Increases with every prediction, so a slow answer never overwrites a newer one. */
  private sequence = 0;

  constructor(private readonly elements: PadElements) {
    this.surface = new PadCanvas(elements.canvas, elements.preview, () => void this.predict());
    elements.clear.addEventListener('click', () => this.clear());
    elements.select.addEventListener('change', () => void this.use(elements.select.value));
    this.clear();
  }

  /** Offers `models` (newest first); keeps the current one when it is still there. */
  setModels(models: readonly KeptModel[]): void {
    const { select } = this.elements;
    const current = select.value;
    // Left-to-right isolates: an option is plain text, and its names and numbers must not reorder in Hebrew.
    const ltr = (text: string) => `\u2066${text}\u2069`;
    select.replaceChildren(...models.map((m) => new Option(`${ltr(m.step)} · ${ltr(m.engine)} · ${ltr(m.time.slice(0, 19).replace('T', ' '))}`, m.id)));
    select.disabled = models.length === 0;
    if (models.some((m) => m.id === current)) select.value = current;
    if (this.loaded !== '' && !models.some((m) => m.id === this.loaded)) {
      // Its model was deleted: the pad waits for another.
      this.loaded = '';
      this.clear();
    }
  }

  /** Loads a kept model into the pad's worker and predicts the drawing with it. */
  async use(id: string): Promise<void> {
    this.elements.select.value = id;
    this.loaded = '';
    this.predictor ??= new PagePredictor();
    try {
      await this.predictor.load(modelUrl(id));
    } catch (error) {
      this.elements.prediction.textContent = (error as Error).message;
      return;
    }
    this.loaded = id;
    document.body.dataset.padModel = id;
    await this.predict();
  }

  clear(): void {
    this.surface.clear();
    this.sequence++;
    this.show(null);
  }

  private async predict(): Promise<void> {
    if (this.loaded === '' || this.predictor === null) return;
    const sequence = ++this.sequence;
    const image = this.surface.image();
    if (image.every((v) => v === 0)) return this.show(null);
    const probabilities = await this.predictor.predict(image);
    if (sequence === this.sequence) this.show(probabilities);
  }

  /** The answer (or the prompt to draw), again in the page's language. */
  private show(probabilities: number[] | null): void {
    const { prediction, bars } = this.elements;
    const shown = probabilities ?? new Array<number>(10).fill(0);
    const top = probabilities === null ? -1 : shown.indexOf(Math.max(...shown));
    prediction.textContent = probabilities === null ? text('padPrompt') : text('padPrediction', { digit: top, percent: (shown[top] * 100).toFixed(1) });
    prediction.dataset.class = top < 0 ? '' : String(top);
    showProbabilityBars(bars, shown, top);
  }

  relabel(): void {
    if (this.elements.prediction.dataset.class === '') this.show(null);
  }
}

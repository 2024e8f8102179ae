// A drawing surface for digits: mouse or touch strokes, the drawing as the 28×28 MNIST image a model sees, its preview.
import { IMAGE_SIZE } from '../../src/data/types.js';
import { mnistify } from '../../src/predict/mnistify.js';

const STROKE_WIDTH = 20;

export class PadCanvas {
  private readonly context: CanvasRenderingContext2D;
  private drawing = false;
  private frame: number | null = null;

  /**
   * `canvas` is drawn on (white on black), `preview` (28×28) shows what the model sees; `onChange` hears the
   * drawing change, at most once per animation frame however fast the pointer moves.
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly preview: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    this.context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    this.listenToPointer();
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
      this.changed();
    });
    const stop = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.changed();
    };
    this.canvas.addEventListener('pointerup', stop);
    this.canvas.addEventListener('pointercancel', stop);
  }

  private changed(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.onChange();
    });
  }

  clear(): void {
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.context.strokeStyle = '#fff';
    this.context.lineWidth = STROKE_WIDTH;
    this.context.lineCap = 'round';
    this.context.lineJoin = 'round';
    this.showImage(new Float32Array(IMAGE_SIZE * IMAGE_SIZE));
  }

  /** The drawing as the 28×28 image the model sees (white ink on black, MNIST-preprocessed), also shown in the preview. */
  image(): Float32Array {
    const { width, height } = this.canvas;
    const rgba = this.context.getImageData(0, 0, width, height).data;
    const grey = new Float32Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i] / 255;
    const image = mnistify(grey, width, height);
    this.showImage(image);
    return image;
  }

  private showImage(image: Float32Array): void {
    const context = this.preview.getContext('2d') as CanvasRenderingContext2D;
    const pixels = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    image.forEach((v, i) => {
      const level = Math.round(v * 255);
      pixels.data.set([level, level, level, 255], 4 * i);
    });
    context.putImageData(pixels, 0, 0);
  }
}

/** The ten class probabilities as bars in `list` (an `<ol start="0">`), the most likely class marked `top`. */
export function showProbabilityBars(list: HTMLElement, probabilities: readonly number[], top: number): void {
  list.replaceChildren(
    ...probabilities.map((p, k) => {
      const item = document.createElement('li');
      item.classList.toggle('top', k === top);
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${(p * 180).toFixed(1)}px`;
      item.append(bar, `${(p * 100).toFixed(1)}%`);
      return item;
    }),
  );
}

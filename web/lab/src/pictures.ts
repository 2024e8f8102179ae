// The prediction cell in the page: the validation grid, the font digits and the confusion matrix drawn on canvases.
import { confusionLayout, drawConfusionMatrix } from '../../../src/viz/confusion-picture.js';
import { digitGridLayout, drawDigitGrid, type DigitGridSpec } from '../../../src/viz/digit-grid.js';
import { fontFaces, fontFileName } from '../../../src/viz/font-faces.js';
import { text } from './i18n.js';
import type { Picture } from './protocol.js';

type PictureKind = Picture['kind'];

interface Panel {
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
}

const FAMILY = fontFaces.text.family;

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  return canvas.getContext('2d') as CanvasRenderingContext2D;
}

export class PredictionPictures {
  /** The pictures' text face, loaded from the site's fonts/ once (the system's fallback when it cannot be). */
  private readonly font: Promise<unknown>;
  private readonly latest = new Map<PictureKind, Picture>();

  constructor(
    private readonly panels: Record<PictureKind, Panel>,
    fontsUrl: string,
  ) {
    const face = new FontFace(FAMILY, `url(${JSON.stringify(new URL(fontFileName(fontFaces.text), fontsUrl).href)})`);
    // FontFaceSet.add, which TypeScript's DOM library leaves out.
    const fonts = document.fonts as unknown as { add(face: FontFace): void };
    this.font = face.load().then(
      (loaded) => fonts.add(loaded),
      () => undefined,
    );
  }

  /** Draws a picture the worker sent, replacing the previous one of its kind. */
  async show(picture: Picture): Promise<void> {
    this.latest.set(picture.kind, picture);
    await this.font;
    if (this.latest.get(picture.kind) === picture) this.draw(picture);
  }

  /** Clears every picture (a new run). */
  reset(): void {
    this.latest.clear();
    for (const { canvas, caption } of Object.values(this.panels)) {
      canvas.hidden = true;
      caption.textContent = '';
      delete canvas.dataset.wrong;
    }
  }

  /** Draws the pictures again with the page's words (a language change). */
  relabel(): void {
    for (const picture of this.latest.values()) this.draw(picture);
  }

  private draw(picture: Picture): void {
    const { canvas, caption } = this.panels[picture.kind];
    canvas.hidden = false;
    if (picture.kind === 'confusion') {
      const layout = confusionLayout(picture.classNames, false, context(canvas), FAMILY);
      Object.assign(canvas, { width: layout.width, height: layout.height });
      drawConfusionMatrix(context(canvas), picture.matrix, layout, { title: '', predicted: text('predictedClass'), actual: text('trueClass') }, FAMILY);
      caption.textContent = text('confusionCaption', { errors: picture.errors, count: picture.count });
      canvas.dataset.errors = String(picture.errors);
      canvas.dataset.total = String(picture.matrix.flat().reduce((a, b) => a + b, 0));
      return;
    }
    this.drawGrid(canvas, picture.grid);
    caption.textContent =
      picture.kind === 'predictions'
        ? text('predictionsCaption', { errors: picture.errors, count: picture.count })
        : text('fontDigits', { right: picture.grid.count - picture.errors, count: picture.grid.count });
    canvas.dataset.errors = String(picture.errors);
  }

  private drawGrid(canvas: HTMLCanvasElement, grid: DigitGridSpec): void {
    const layout = digitGridLayout(grid, context(canvas), FAMILY);
    Object.assign(canvas, { width: layout.width, height: layout.height });
    drawDigitGrid(context(canvas), grid, layout, FAMILY);
    // Which captions are red, in order (for tests and curious readers of the DOM).
    canvas.dataset.wrong = grid.captions.map((lines) => (lines.some((c) => c.wrong) ? 1 : 0)).join('');
  }
}

// The shared drawings (digit grids, the confusion matrix, the font digits) on Node's canvas, for a run's PNG files.
import { createCanvas, type ImageData } from '@napi-rs/canvas';
import type { Context2D } from './canvas-2d.js';
import { confusionLayout, drawConfusionMatrix, ENGLISH_CONFUSION_TEXTS } from './confusion-picture.js';
import { digitGridLayout, drawDigitGrid, type DigitGridSpec } from './digit-grid.js';
import { fontFaces } from './font-faces.js';
import { drawFontDigits, type FontDigits } from './font-digits.js';
import { ensureFont } from './fonts.js';

const newContext = (width: number, height: number): Context2D => createCanvas(width, height).getContext('2d');

export function digitGridPng(spec: DigitGridSpec): Buffer {
  const family = ensureFont(fontFaces.text);
  const layout = digitGridLayout(spec, newContext(1, 1), family);
  const canvas = createCanvas(layout.width, layout.height);
  drawDigitGrid<ImageData>(canvas.getContext('2d'), spec, layout, family);
  return canvas.toBuffer('image/png');
}

/** The heatmap with the English axis titles, `title` above it. */
export function confusionMatrixPng(matrix: readonly number[][], classNames: readonly string[], title: string): Buffer {
  const family = ensureFont(fontFaces.text);
  const layout = confusionLayout(classNames, true, newContext(1, 1), family);
  const canvas = createCanvas(layout.width, layout.height);
  drawConfusionMatrix(canvas.getContext('2d'), matrix, layout, { ...ENGLISH_CONFUSION_TEXTS, title }, family);
  return canvas.toBuffer('image/png');
}

/** The font-digits row drawn in Debian's faces (FONT_MISSING when one is not installed). */
export function fontDigits(count = 24): FontDigits {
  ensureFont(fontFaces.digitsA);
  ensureFont(fontFaces.digitsB);
  return drawFontDigits(newContext, count);
}

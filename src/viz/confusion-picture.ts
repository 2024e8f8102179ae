// The confusion matrix as a heatmap with the count in every cell: right answers in blue, mistakes in red.
import type { Context2D } from './canvas-2d.js';
import { colors } from './style.js';

const CELL = 52;
const MARGIN = 16;
const TITLE_HEIGHT = 56;
const AXIS_TITLE = 24;

/** The words around the heatmap; a page in another language gives its own. */
export interface ConfusionTexts {
  /** Above everything; empty leaves the title's room out (a page that titles the picture itself). */
  title: string;
  predicted: string;
  actual: string;
}

export const ENGLISH_CONFUSION_TEXTS: Omit<ConfusionTexts, 'title'> = { predicted: 'predicted class', actual: 'true class' };

/** Mixes white towards `rgb` by t in [0, 1]. */
function tint(rgb: [number, number, number], t: number): string {
  const mix = rgb.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

export interface ConfusionLayout {
  width: number;
  height: number;
  /** The heatmap's top left corner. */
  left: number;
  top: number;
  rowLabels: string[];
}

/** Where the heatmap goes, with room for the row labels as `measure` (in the font `family`) measures them. */
export function confusionLayout(classNames: readonly string[], hasTitle: boolean, measure: Context2D, family: string): ConfusionLayout {
  measure.font = `14px "${family}"`;
  const rowLabels = classNames.map((name, k) => (name === String(k) ? name : `${name} (${k})`));
  const labelWidth = Math.ceil(Math.max(...rowLabels.map((l) => measure.measureText(l).width))) + 10;
  const left = MARGIN + AXIS_TITLE + labelWidth;
  const top = MARGIN + (hasTitle ? TITLE_HEIGHT : TITLE_HEIGHT - 32) + 22;
  const n = classNames.length;
  return { width: left + n * CELL + MARGIN, height: top + n * CELL + MARGIN, left, top, rowLabels };
}

/**
 * Rows are true classes, columns predicted ones, on a canvas of `layout`'s size. The diagonal is shaded by the share
 * of its row it gets right; off-diagonal cells by their count relative to the largest mistake cell (square-root
 * scale, so single mistakes still show).
 */
export function drawConfusionMatrix(ctx: Context2D, matrix: readonly number[][], layout: ConfusionLayout, texts: ConfusionTexts, family: string): void {
  const n = matrix.length;
  const { width, height, left, top } = layout;
  ctx.fillStyle = colors.figure;
  ctx.fillRect(0, 0, width, height);

  ctx.fillStyle = colors.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (texts.title !== '') {
    ctx.font = `17px "${family}"`;
    ctx.fillText(texts.title, width / 2, MARGIN + 12);
  }
  ctx.font = `14px "${family}"`;
  ctx.fillText(texts.predicted, left + (n * CELL) / 2, top - 38);
  ctx.save();
  ctx.translate(MARGIN + AXIS_TITLE / 2, top + (n * CELL) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(texts.actual, 0, 0);
  ctx.restore();

  ctx.fillStyle = colors.tick;
  for (let k = 0; k < n; k++) {
    ctx.textAlign = 'center';
    ctx.fillText(String(k), left + k * CELL + CELL / 2, top - 12);
    ctx.textAlign = 'right';
    ctx.fillText(layout.rowLabels[k], left - 8, top + k * CELL + CELL / 2);
  }

  const maxMistake = Math.max(1, ...matrix.flatMap((row, r) => row.filter((_, c) => c !== r)));
  for (let r = 0; r < n; r++) {
    const rowTotal = matrix[r].reduce((a, b) => a + b, 0);
    for (let c = 0; c < n; c++) {
      const count = matrix[r][c];
      const strength = r === c ? (rowTotal ? count / rowTotal : 0) : Math.sqrt(count / maxMistake);
      ctx.fillStyle = r === c ? tint([31, 119, 180], strength) : tint([214, 39, 40], strength);
      ctx.fillRect(left + c * CELL, top + r * CELL, CELL - 1, CELL - 1);
      ctx.fillStyle = count === 0 ? '#b0b0b0' : strength > 0.55 ? '#ffffff' : '#222222';
      ctx.font = `${count >= 1000 ? 13 : 14}px "${family}"`;
      ctx.textAlign = 'center';
      ctx.fillText(String(count), left + c * CELL + CELL / 2, top + r * CELL + CELL / 2);
    }
  }
}

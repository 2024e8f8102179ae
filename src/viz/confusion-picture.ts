// The confusion matrix as a heatmap with the count in every cell: right answers in blue, mistakes in red.
import { createCanvas } from '@napi-rs/canvas';
import { ensureFont, fontFaces } from './fonts.js';
import { colors } from './style.js';

const CELL = 52;
const MARGIN = 16;
const TITLE_HEIGHT = 56;
const AXIS_TITLE = 24;

/** Mixes white towards `rgb` by t in [0, 1]. */
function tint(rgb: [number, number, number], t: number): string {
  const mix = rgb.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

/**
 * Rows are true classes, columns predicted ones. The diagonal is shaded by the share of its row it gets right;
 * off-diagonal cells by their count relative to the largest mistake cell (square-root scale, so single
 * mistakes still show).
 */
export function confusionMatrixPng(matrix: readonly number[][], classNames: readonly string[], title: string): Buffer {
  ensureFont(fontFaces.text);
  const n = matrix.length;
  const family = fontFaces.text.family;
  const measure = createCanvas(1, 1).getContext('2d');
  measure.font = `14px "${family}"`;
  const rowLabels = classNames.map((name, k) => (name === String(k) ? name : `${name} (${k})`));
  const labelWidth = Math.ceil(Math.max(...rowLabels.map((l) => measure.measureText(l).width))) + 10;
  const left = MARGIN + AXIS_TITLE + labelWidth;
  const top = MARGIN + TITLE_HEIGHT + 22;
  const width = left + n * CELL + MARGIN;
  const height = top + n * CELL + MARGIN;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = colors.figure;
  ctx.fillRect(0, 0, width, height);

  ctx.fillStyle = colors.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = `17px "${family}"`;
  ctx.fillText(title, width / 2, MARGIN + 12);
  ctx.font = `14px "${family}"`;
  ctx.fillText('predicted class', left + (n * CELL) / 2, MARGIN + 40);
  ctx.save();
  ctx.translate(MARGIN + AXIS_TITLE / 2, top + (n * CELL) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('true class', 0, 0);
  ctx.restore();

  ctx.fillStyle = colors.tick;
  for (let k = 0; k < n; k++) {
    ctx.textAlign = 'center';
    ctx.fillText(String(k), left + k * CELL + CELL / 2, top - 12);
    ctx.textAlign = 'right';
    ctx.fillText(rowLabels[k], left - 8, top + k * CELL + CELL / 2);
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
  return canvas.toBuffer('image/png');
}

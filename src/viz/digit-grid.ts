// Rows of 28×28 digits drawn black on white (the codelab's gray_r) with captions under each, wrong ones in red.
import { IMAGE_SIZE, PIXELS } from '../data/types.js';
import type { Context2D, PixelContext2D, Pixels } from './canvas-2d.js';
import { colors } from './style.js';

/** One line of text under a digit; `wrong` draws it in red. */
export interface Caption {
  text: string;
  wrong: boolean;
}

export interface DigitGridSpec {
  /** count × 784 bytes, 0 = background (as in the IDX files). */
  images: Uint8Array;
  count: number;
  /** Lines under each digit, the same number of lines for every digit. */
  captions: Caption[][];
  perRow: number;
  /** Above the first row, as display_top_unrecognized titles only its first row. */
  title?: string;
  /** Cell width; 56 (the digit's width) puts digits side by side as the codelab's strips do. */
  cellWidth?: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridLayout {
  width: number;
  height: number;
  title: Rect | null;
  /** The digit's pixels of cell i. */
  tile(i: number): Rect;
  /** Caption line `line` of cell i. */
  caption(i: number, line: number): Rect;
}

const SCALE = 2;
const TILE = IMAGE_SIZE * SCALE;
const MARGIN = 16;
const TITLE_HEIGHT = 34;
const LINE_HEIGHT = 22;
const ROW_GAP = 8;
const CAPTION_FONT_SIZE = 16;
const TITLE_FONT_SIZE = 17;

/** Where everything of a grid goes; the renderer and the tests share it. */
export function gridLayout(
  count: number,
  perRow: number,
  lines: number,
  hasTitle: boolean,
  cellWidth = TILE,
  minWidth = 0,
): GridLayout {
  const rows = Math.max(1, Math.ceil(count / perRow));
  const rowHeight = TILE + lines * LINE_HEIGHT + ROW_GAP;
  const top = MARGIN + (hasTitle ? TITLE_HEIGHT : 0);
  const width = Math.max(minWidth, 2 * MARGIN + Math.min(count, perRow) * cellWidth);
  const cellX = (i: number) => MARGIN + (i % perRow) * cellWidth;
  const cellY = (i: number) => top + Math.floor(i / perRow) * rowHeight;
  return {
    width,
    height: top + rows * rowHeight - ROW_GAP + MARGIN,
    title: hasTitle ? { x: MARGIN, y: MARGIN, width: width - 2 * MARGIN, height: TITLE_HEIGHT } : null,
    tile: (i) => ({ x: cellX(i) + (cellWidth - TILE) / 2, y: cellY(i), width: TILE, height: TILE }),
    caption: (i, line) => ({ x: cellX(i), y: cellY(i) + TILE + line * LINE_HEIGHT, width: cellWidth, height: LINE_HEIGHT }),
  };
}

/** The layout of `spec`, wide enough for its title as `measure` (any context, in the font `family`) measures it. */
export function digitGridLayout(spec: DigitGridSpec, measure: Context2D, family: string): GridLayout {
  measure.font = `${TITLE_FONT_SIZE}px "${family}"`;
  // Wide enough for the title even when there are few digits (or none: a model with no mistakes to show).
  const titleWidth = spec.title === undefined ? 0 : Math.ceil(measure.measureText(spec.title).width) + 2 * MARGIN;
  return gridLayout(spec.count, spec.perRow, spec.captions[0]?.length ?? 0, spec.title !== undefined, spec.cellWidth, titleWidth);
}

/** Paints digit `index` of `images` at (x, y), each pixel SCALE×SCALE, ink black on white. */
function drawDigit<Image extends Pixels>(ctx: PixelContext2D<Image>, images: Uint8Array, index: number, x: number, y: number): void {
  const image = ctx.createImageData(TILE, TILE);
  for (let row = 0; row < TILE; row++) {
    for (let col = 0; col < TILE; col++) {
      const shade = 255 - images[index * PIXELS + Math.floor(row / SCALE) * IMAGE_SIZE + Math.floor(col / SCALE)];
      const at = (row * TILE + col) * 4;
      image.data[at] = image.data[at + 1] = image.data[at + 2] = shade;
      image.data[at + 3] = 255;
    }
  }
  ctx.putImageData(image, x, y);
}

/** Draws `spec` on a canvas of `layout`'s size (from digitGridLayout), text in the font `family`. */
export function drawDigitGrid<Image extends Pixels>(ctx: PixelContext2D<Image>, spec: DigitGridSpec, layout: GridLayout, family: string): void {
  ctx.fillStyle = colors.figure;
  ctx.fillRect(0, 0, layout.width, layout.height);
  if (spec.title !== undefined && layout.title) {
    ctx.fillStyle = colors.text;
    ctx.font = `${TITLE_FONT_SIZE}px "${family}"`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.title, layout.title.x, layout.title.y + layout.title.height / 2 - 4);
  }
  ctx.font = `${CAPTION_FONT_SIZE}px "${family}"`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < spec.count; i++) {
    const tile = layout.tile(i);
    drawDigit(ctx, spec.images, i, tile.x, tile.y);
    spec.captions[i].forEach((caption, line) => {
      const box = layout.caption(i, line);
      ctx.fillStyle = caption.wrong ? colors.wrong : colors.right;
      ctx.fillText(caption.text, box.x + box.width / 2, box.y + box.height / 2);
    });
  }
}

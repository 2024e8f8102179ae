// Draws chart.js configurations on @napi-rs/canvas: PNG buffers, SVG strings, and panels placed side by side.
import { createCanvas, SvgExportFlag, type Canvas, type SvgCanvas } from '@napi-rs/canvas';
import { Chart, type ChartConfiguration, type ChartItem } from 'chart.js/auto';
import { fontFaces } from './font-faces.js';
import { ensureFont } from './fonts.js';

export interface Size {
  width: number;
  height: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- chart.js accepts any config; callers keep theirs typed
type AnyChartConfig = ChartConfiguration<any, any, any>;

/**
 * Runs chart.js once on a canvas (chart.js's BasicPlatform: no DOM, no animation), hands the drawn canvas to
 * `use`, then frees the chart (destroy() clears the canvas, so `use` must read it first).
 */
function withChart<C extends Canvas | SvgCanvas, T>(canvas: C, config: AnyChartConfig, use: (drawn: C) => T): T {
  ensureFont(fontFaces.text);
  // @napi-rs/canvas implements the 2D context chart.js draws on; its types differ from the DOM's.
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, config);
  try {
    return use(canvas);
  } finally {
    chart.destroy();
  }
}

export function chartPng(config: AnyChartConfig, size: Size): Buffer {
  return withChart(createCanvas(size.width, size.height), config, (c) => c.toBuffer('image/png'));
}

/** SVG with text converted to paths, so it looks the same without our fonts installed. */
export function chartSvg(config: AnyChartConfig, size: Size): string {
  const canvas = createCanvas(size.width, size.height, SvgExportFlag.ConvertTextToPaths);
  return withChart(canvas, config, (c) => c.getContent().toString('utf8'));
}

/** Several charts in one row, each `panel` wide (PlotTraining's plt.subplots(1, 2)). */
export function panelsPng(configs: readonly AnyChartConfig[], panel: Size): Buffer {
  const canvas = createCanvas(panel.width * configs.length, panel.height);
  const ctx = canvas.getContext('2d');
  configs.forEach((config, i) => {
    withChart(createCanvas(panel.width, panel.height), config, (part) => ctx.drawImage(part, i * panel.width, 0));
  });
  return canvas.toBuffer('image/png');
}

/** The same row as one SVG document: each panel's SVG nested at its x offset. */
export function panelsSvg(configs: readonly AnyChartConfig[], panel: Size): string {
  const width = panel.width * configs.length;
  const nested = configs.map((config, i) =>
    chartSvg(config, panel)
      .replace(/^<\?xml[^>]*>\s*/, '')
      .replace('<svg ', `<svg x="${i * panel.width}" y="0" `),
  );
  return (
    `<?xml version="1.0" encoding="utf-8" ?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${panel.height}">\n` +
    `${nested.join('\n')}\n</svg>\n`
  );
}

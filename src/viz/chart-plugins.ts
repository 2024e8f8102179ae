// Chart.js plugins for the codelab's matplotlib look (figure/axes faces, minor grid, bar values); browser-safe.
import type { Chart, Plugin, Scale } from 'chart.js';
import { colors, FONT_FAMILY } from './style.js';

/** Fills the figure (F0F0F0) and the plotting area (F8F8F8) before anything else is drawn. */
export const facePlugin: Plugin = {
  id: 'labFaces',
  beforeDraw(chart: Chart) {
    const { ctx, chartArea, width, height } = chart;
    ctx.save();
    ctx.fillStyle = colors.figure;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = colors.axes;
    ctx.fillRect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.restore();
  },
};

/** Matplotlib's AutoMinorLocator: 5 minor intervals for a major step of 1 or 5 (×10^k), else 4. */
export function minorValues(majors: readonly number[], min: number, max: number): number[] {
  if (majors.length < 2) return [];
  const step = majors[1] - majors[0];
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  const divisions = [1, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6) ? 5 : 4;
  const minor = step / divisions;
  const values: number[] = [];
  for (let k = Math.ceil((min - majors[0]) / minor - 1e-9); majors[0] + k * minor <= max + 1e-12; k++) {
    if (k % divisions !== 0) values.push(majors[0] + k * minor);
  }
  return values;
}

/** minorticks_on() + grid(which='minor', linestyle=':', linewidth=0.5) on every linear axis. */
export const minorGridPlugin: Plugin = {
  id: 'labMinorGrid',
  beforeDatasetsDraw(chart: Chart) {
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.strokeStyle = colors.gridMinor;
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 2]);
    for (const scale of Object.values(chart.scales) as Scale[]) {
      if (scale.type !== 'linear') continue;
      const majors = scale.ticks.map((t) => t.value);
      for (const value of minorValues(majors, scale.min, scale.max)) {
        const pixel = Math.round(scale.getPixelForValue(value)) + 0.5;
        ctx.beginPath();
        if (scale.isHorizontal()) {
          ctx.moveTo(pixel, chartArea.top);
          ctx.lineTo(pixel, chartArea.bottom);
        } else {
          ctx.moveTo(chartArea.left, pixel);
          ctx.lineTo(chartArea.right, pixel);
        }
        ctx.stroke();
      }
    }
    ctx.restore();
  },
};

/** Writes each bar's value above it (per-class accuracy), with the given number formatter. */
export function barValuesPlugin(format: (value: number) => string): Plugin {
  return {
    id: 'labBarValues',
    afterDatasetsDraw(chart: Chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = colors.tick;
      ctx.font = `12px "${FONT_FAMILY}"`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      chart.data.datasets.forEach((dataset, d) => {
        chart.getDatasetMeta(d).data.forEach((bar, i) => {
          const value = dataset.data[i];
          if (typeof value === 'number') ctx.fillText(format(value), bar.x, bar.y - 3);
        });
      });
      ctx.restore();
    },
  };
}

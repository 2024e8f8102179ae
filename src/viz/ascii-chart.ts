// A plain-ASCII line chart for the terminal (validation accuracy per epoch after training).

export interface AsciiChartOptions {
  /** Plot columns, not counting the y labels (default 60). */
  width?: number;
  /** Plot rows (default 10). */
  height?: number;
  /** A line printed above the chart. */
  label?: string;
}

/** Formats the y labels with enough decimals to tell the top from the bottom apart. */
function labelFormat(min: number, max: number): (v: number) => string {
  const span = max - min || Math.abs(max) || 1;
  const decimals = Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(span))));
  return (v) => v.toFixed(decimals);
}

/**
 * Values 1…n plotted left to right: '*' at each value, '.' on the straight line between neighbours, y labels on
 * the top, middle and bottom rows, x labels at the first and last value. Returns the lines joined with '\n'.
 */
export function asciiChart(values: readonly number[], options: AsciiChartOptions = {}): string {
  const { width = 60, height = 10, label } = options;
  const header = label === undefined ? [] : [label];
  if (values.length === 0) return [...header, '(no values)'].join('\n');
  const min = Math.min(...values);
  const max = Math.max(...values);
  const rowOf = (v: number) => (max === min ? Math.floor((height - 1) / 2) : Math.round(((max - v) / (max - min)) * (height - 1)));
  const colOf = (i: number) => (values.length === 1 ? 0 : Math.round((i / (values.length - 1)) * (width - 1)));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  for (let i = 0; i + 1 < values.length; i++) {
    const [c0, c1] = [colOf(i), colOf(i + 1)];
    for (let c = c0 + 1; c < c1; c++) {
      const v = values[i] + ((values[i + 1] - values[i]) * (c - c0)) / (c1 - c0);
      grid[rowOf(v)][c] = '.';
    }
  }
  values.forEach((v, i) => (grid[rowOf(v)][colOf(i)] = '*'));
  const format = labelFormat(min, max);
  const middle = Math.floor((height - 1) / 2);
  const labelledRows = max === min ? [middle] : [...new Set([0, middle, height - 1])];
  const valueOfRow = (r: number) => (max === min ? max : max - (r * (max - min)) / (height - 1));
  const yLabels = new Map(labelledRows.map((r) => [r, format(valueOfRow(r))]));
  const labelWidth = Math.max(...[...yLabels.values()].map((l) => l.length));
  const rows = grid.map((cells, r) => `${(yLabels.get(r) ?? '').padStart(labelWidth)} |${cells.join('').trimEnd()}`);
  const axis = `${' '.repeat(labelWidth)} +${'-'.repeat(width)}`;
  const first = '1';
  const last = String(values.length);
  const xLabels = `${' '.repeat(labelWidth + 2)}${first}${last.padStart(Math.max(colOf(values.length - 1), 1) + last.length - first.length)}`;
  return [...header, ...rows, axis, values.length > 1 ? xLabels : `${' '.repeat(labelWidth + 2)}1`].join('\n');
}

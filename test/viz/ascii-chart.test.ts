// The terminal chart: label line, one '*' per value at the right row and column, y labels, x axis.
import { describe, expect, it } from 'vitest';
import { asciiChart } from '../../src/viz/ascii-chart.js';

describe('asciiChart', () => {
  it('plots each value at its scaled row, highest on top, lowest at the bottom', () => {
    const values = [0.97, 0.98, 0.985, 0.99, 0.9885];
    const lines = asciiChart(values, { width: 41, height: 9, label: 'val acc' }).split('\n');
    expect(lines[0]).toBe('val acc');
    const rows = lines.slice(1, 10);
    expect(lines).toHaveLength(1 + 9 + 2);
    const plot = rows.map((r) => r.slice(r.indexOf('|') + 1));
    values.forEach((v, i) => {
      const col = Math.round((i / 4) * 40);
      const row = Math.round(((0.99 - v) / 0.02) * 8);
      expect(plot[row][col]).toBe('*');
    });
    expect(plot.join('').split('*')).toHaveLength(values.length + 1);
    expect(rows[0].startsWith('0.9900 |')).toBe(true);
    expect(rows[8].startsWith('0.9700 |')).toBe(true);
    expect(lines[10]).toMatch(/^ +\+-{41}$/);
    expect(lines[11].trim().split(/ +/)).toEqual(['1', '5']);
  });

  it('copes with one value, flat values and none', () => {
    expect(asciiChart([0.5], { height: 3 }).split('\n')[1]).toBe('0.500 |*');
    expect(asciiChart([2, 2], { width: 5, height: 3 }).split('\n')[1]).toBe('2.00 |*...*');
    expect(asciiChart([], { label: 'x' })).toBe('x\n(no values)');
  });
});

// The live charts (dashboard and browser lab) and the run's pictures come from one definition: for the same inputs
// their series, axes, titles and faces match.
import type { ChartDataset } from 'chart.js';
import { describe, expect, it } from 'vitest';
import { curvesConfigs, learningRateConfig } from '../../src/viz/chart-configs.js';
import type { LineConfig } from '../../src/viz/chart-definitions.js';
import { colors } from '../../src/viz/style.js';
import { ENGLISH_CHART_LABELS, liveChartConfigs } from '../../web/src/charts.js';

type Dataset = ChartDataset<'line', { x: number; y: number }[]>;

const seriesLook = (d: Dataset) => ({ color: d.borderColor, fill: d.backgroundColor, width: d.borderWidth, radius: d.pointRadius, stepped: d.stepped ?? false });

/** An axis's type, range and styling, without its words and sizes (a page has its own). */
function axisLook(config: LineConfig, axis: 'x' | 'y') {
  const scale = config.options?.scales?.[axis] as Record<string, never> & {
    title: { color: string; font: { family: string } };
    ticks: { color: string; font: { family: string } };
    grid: { color: string };
  };
  return { type: scale.type, min: scale.min, max: scale.max, title: [scale.title.color, scale.title.font.family], ticks: [scale.ticks.color, scale.ticks.font.family], grid: scale.grid.color };
}

function panelLook(config: LineConfig) {
  const title = config.options?.plugins?.title as { color: string; font: { family: string; weight: string } };
  return { title: [title.color, title.font.family, title.font.weight], plugins: config.plugins, x: axisLook(config, 'x') };
}

describe('live charts and pictures', () => {
  const live = liveChartConfigs(ENGLISH_CHART_LABELS);
  const pictures = curvesConfigs({ trainLoss: [], trainAccuracy: [], valLoss: [], valAccuracy: [] }, { zoom: 1, epochs: 1, validationNote: '10k test set' });
  const lrPicture = learningRateConfig([], ['Learning rate', 'constant at 0.01'], 1);

  it('draw loss and accuracy with the same series, axes, titles and faces', () => {
    for (const name of ['loss', 'accuracy'] as const) {
      const [batches, , validation] = live[name].data.datasets;
      const [training, pictureValidation] = pictures[name].data.datasets;
      expect(seriesLook(batches)).toEqual(seriesLook(training));
      expect(seriesLook(validation)).toEqual(seriesLook(pictureValidation));
      expect(panelLook(live[name])).toEqual(panelLook(pictures[name]));
      expect(axisLook(live[name], 'y')).toEqual(axisLook(pictures[name], 'y'));
    }
    // The codelab's colours: matplotlib's C0 for training, C1 for validation.
    expect(seriesLook(live.loss.data.datasets[0]).color).toBe(colors.training);
    expect(seriesLook(live.loss.data.datasets[2]).color).toBe(colors.validation);
  });

  it('draw the planned learning rate as learning-rate.png does, on a log axis live', () => {
    const planned = live.lr.data.datasets[1];
    expect(planned.label).toBe(ENGLISH_CHART_LABELS.planned);
    expect(seriesLook(planned)).toEqual(seriesLook(lrPicture.data.datasets[0]));
    expect(panelLook(live.lr)).toEqual(panelLook(lrPicture));
    expect(axisLook(live.lr, 'y')).toMatchObject({ type: 'logarithmic', title: axisLook(lrPicture, 'y').title, grid: axisLook(lrPicture, 'y').grid });
  });
});

// The codelab's matplotlib look as plain values (colours, sizes, fonts); free of Node imports so the web UI can share it.

/** Font families the pictures ask for; Node registers real files under these names (see fonts.ts). */
export const FONT_FAMILY = 'DejaVu Sans';

export const colors = {
  /** rc('figure', facecolor='F0F0F0'). */
  figure: '#F0F0F0',
  /** rc('axes', facecolor='F8F8F8'). */
  axes: '#F8F8F8',
  /** rc('text', color='a8151a'): titles and legends are dark red. */
  text: '#a8151a',
  /** Tick labels keep matplotlib's default dark colour. */
  tick: '#333333',
  /** Major grid (white in the codelab's style would vanish on F8F8F8, so a light grey). */
  gridMajor: '#d0d0d0',
  gridMinor: '#e2e2e2',
  /** Matplotlib's default cycle: C0 for training series, C1 for validation series. */
  training: '#1f77b4',
  validation: '#ff7f0e',
  /** Wrong predictions, as matplotlib's 'red'. */
  wrong: '#ff0000',
  /** A correct prediction label under a digit. */
  right: '#222222',
  /** The old desktop dashboard's weight and bias bands (tensorflowvisu.mplstyle's red and green). */
  weightBands: '#FF3333',
  biasBands: '#22AA22',
  /** Ten distinguishable series colours (matplotlib tab10) for comparisons. */
  series: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'],
} as const;

/** Matplotlib's 'large' at a 12 px base, the codelab's tick and title size. */
export const fontSizes = { tick: 14, title: 17, legend: 14, axisTitle: 14 } as const;

/** Figure sizes in pixels, as the codelab's figsize at 72 dpi. */
export const figureSizes = {
  /** PlotTraining: plt.subplots(1, 2, figsize=(16, 7)). */
  curves: { width: 1152, height: 504 },
  /** plot_learning_rate: figsize=(9, 6). */
  learningRate: { width: 648, height: 432 },
  perClass: { width: 864, height: 432 },
  compare: { width: 1008, height: 504 },
} as const;

// The pictures of a run folder: file names, titles and what each shows, in report order; browser-safe.

export interface PictureEntry {
  /** File name in the run's pictures/ folder, without extension. */
  name: string;
  title: string;
  /** One sentence saying what the picture shows. */
  caption: string;
  /** Charts also come as SVG. */
  svg: boolean;
}

export const PICTURES = {
  curves: {
    name: 'curves',
    title: 'Training curves',
    caption: 'Loss (left) and accuracy (right): thin lines sample the training batches, thick lines are the validation measured on the test set after each epoch.',
    svg: true,
  },
  learningRate: { name: 'learning-rate', title: 'Learning-rate schedule', caption: 'The learning rate used in each epoch.', svg: true },
  weights: {
    name: 'weights',
    title: 'Weights and biases',
    caption:
      'How the weights and the biases spread out as training goes: each band holds an equal share of the values, the darkest the middle ones.',
    svg: true,
  },
  trainingDigits: { name: 'training-digits', title: 'Training digits', caption: 'The first 24 training digits and their labels.', svg: false },
  validationDigits: { name: 'validation-digits', title: 'Validation digits', caption: 'The first 24 test digits and their labels.', svg: false },
  fontDigits: {
    name: 'font-digits',
    title: 'Digits from fonts',
    caption: 'Printed digits from two typefaces, centred like MNIST; the prediction is under each, wrong ones in red.',
    svg: false,
  },
  predictions: {
    name: 'predictions',
    title: 'Validation predictions',
    caption: 'Test digits with the predicted class under each; mistakes are red and sorted first.',
    svg: false,
  },
  confusionMatrix: {
    name: 'confusion-matrix',
    title: 'Confusion matrix',
    caption: 'How many test digits of each true class (rows) got each predicted class (columns).',
    svg: false,
  },
  perClassAccuracy: { name: 'per-class-accuracy', title: 'Per-class accuracy', caption: 'Share of each class the model gets right.', svg: true },
  confidentMistakes: {
    name: 'confident-mistakes',
    title: 'Most confident mistakes',
    caption: 'The wrong answers the model was surest of: true class, predicted class (red) and its probability.',
    svg: false,
  },
} as const satisfies Record<string, PictureEntry>;

export type PictureKey = keyof typeof PICTURES;

/** Report order. */
export const PICTURE_ORDER: readonly PictureKey[] = [
  'curves',
  'learningRate',
  'weights',
  'trainingDigits',
  'validationDigits',
  'fontDigits',
  'predictions',
  'confusionMatrix',
  'perClassAccuracy',
  'confidentMistakes',
];

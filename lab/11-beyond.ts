// Beyond the codelab, step 11: one model past 99.6% on the 10k test digits, trained in under 10 minutes on 2 cores.
import * as tf from '@tensorflow/tfjs';
import * as lab from 'mnist-lab';

/** The recipe's ingredients as knobs, so that each can be taken away or added (bench/beyond-ablation.ts measures them). */
const HYPERPARAMETERS = {
  epochs: { default: 35, min: 1, max: 100, integer: true, help: 'passes over the training digits' },
  augment: { default: 1, min: 0, max: 1, integer: false, help: 'how far digits are moved: 1 = 2.5 px, 10°, 10% zoom; 0 = not at all' },
  onecycle: { default: 1, min: 0, max: 1, integer: true, help: '1 = one-cycle per step; 0 = the codelab\'s 0.01·0.666^epoch' },
  smoothing: { default: 0, min: 0, max: 0.5, integer: false, help: 'label smoothing of the cross-entropy (0.1 in the Kaggle recipe; measured to add nothing here)' },
  width: { default: 1, min: 0.25, max: 4, integer: false, help: 'channels of every convolution, as a multiple of 16-32-64' },
} satisfies Record<string, lab.HyperparameterSpec>;

export const about: lab.StepInfo = {
  title: 'Beyond: moved digits and one-cycle',
  source: "Chris Deotte's Kaggle MNIST CNNs (conv-BN blocks, a strided 5x5 in place of pooling, dropout, moved digits)",
  codelab: 'not part of the codelab, which stops at "99.5% with a bit of luck"',
  passBar: 0.9965,
  lesson:
    'Two ingredients from the Kaggle notebooks that pass 99.6%, neither of them a bigger model: every ' +
    'training digit is moved a little at random each time it is seen (shifted up to 2.5 px, turned up to 10°, ' +
    'zoomed up to 10%), so the net learns the digit and not its place; one-cycle raises the rate over the first ' +
    'quarter and lowers it to almost nothing by the last step, so training ends settled. Strided 5x5 ' +
    'convolutions replace pooling. Watch training accuracy stay below test accuracy (moved digits are harder), ' +
    'and the test accuracy climb in the last epochs as the rate falls. ' +
    'Measured over seeds 0-2 at 35 epochs (the README\'s ablation): one-cycle counts most (with the codelab\'s ' +
    'epoch decay instead, 99.60% against 99.68%), moved digits next (without them 99.63%; at 20 epochs they added ' +
    'nothing: they pay in longer runs). A third ingredient of those notebooks, label smoothing (0.1: the softmax ' +
    'is never pushed to 0 and 1), gave 99.67%, nothing beyond the seeds\' spread, so it is off; ' +
    '--hp-smoothing 0.1 puts it back. ' +
    'Each ingredient is a knob (--hp-augment, --hp-onecycle, --hp-smoothing): change one and see.',
  choices: [
    'the net follows Chris Deotte\'s Kaggle CNNs (16-32-64 channels, strided 5x5 in place of pooling, dropout 0.25) at 35 epochs (his ran 30-45): 6-9 minutes on 2 cores',
    'batch norm without scale before each relu, as in 10-conv-bn; Adam peaking at 0.005',
  ],
  hyperparameters: HYPERPARAMETERS,
  translations: {
    he: {
      title: 'מעבר ל-codelab: הזזת ספרות ו-one-cycle',
      codelab: 'לא חלק מה-codelab, שנעצר ב-"99.5% עם קצת מזל"',
      lesson:
        'שני מרכיבים ממחברות Kaggle שעוברות את 99.6%, ואף אחד מהם אינו מודל גדול יותר: כל ספרת אימון מוזזת ' +
        'מעט באקראי בכל פעם שהיא נראית (הסטה של עד 2.5 פיקסלים, סיבוב של עד 10°, הגדלה של עד 10%), כך שהרשת ' +
        'לומדת את הספרה ולא את מקומה; one-cycle מעלה את הקצב ברבע הראשון ומוריד אותו כמעט לאפס בצעד האחרון, ' +
        'כך שהאימון מסתיים רגוע. קונבולוציות 5x5 בצעד 2 מחליפות את ה-pooling. שימו לב שדיוק האימון נשאר מתחת ' +
        'לדיוק המבחן (ספרות מוזזות קשות יותר), ושדיוק המבחן מטפס באפוקים האחרונים כשהקצב יורד. ' +
        'נמדד על זרעים 0-2 ב-35 אפוקים (טבלת ההסרה ב-README): one-cycle תורם הכי הרבה (עם הדעיכה לפי אפוק ' +
        'של ה-codelab במקומו: 99.60% לעומת 99.68%), אחריו הזזת הספרות (בלעדיה 99.63%; ב-20 אפוקים היא לא ' +
        'הוסיפה דבר: היא משתלמת בריצות ארוכות). מרכיב שלישי של אותן מחברות, החלקת תוויות (0.1: ה-softmax לא ' +
        'נדחף אף פעם ל-0 ול-1), נתן 99.67%, לא יותר מהפיזור בין הזרעים, ולכן הוא כבוי; --hp-smoothing 0.1 ' +
        'מחזיר אותו. ' +
        'כל מרכיב הוא כפתור (--hp-augment, --hp-onecycle, --hp-smoothing): שנו אחד וראו.',
    },
  },
};

export default async function main(): Promise<void> {
  // Parameters
  const hp = lab.hyperparameters(HYPERPARAMETERS);
  const BATCH_SIZE = 128;
  const STEPS_PER_EPOCH = Math.floor(60000 / BATCH_SIZE);
  const STEPS = hp.epochs * STEPS_PER_EPOCH;

  // Data: every training digit moved a little at random each time it is seen (never the test digits).
  const move = { shift: 2.5 * hp.augment, rotate: 10 * hp.augment, scale: 0.1 * hp.augment };
  const training = lab.trainingDataset({ batchSize: BATCH_SIZE, augment: move });
  const validation = lab.validationDataset();

  // The model: three blocks of conv-BN-relu; each block ends in a strided 5x5 convolution where others pool.
  const bn = () => lab.layers.batchNormalization({ center: true, scale: false });
  const conv = (filters: number, kernelSize: number, strides = 1) => [
    tf.layers.conv2d({ filters: Math.round(filters * hp.width), kernelSize, strides, padding: strides > 1 ? 'same' : 'valid', useBias: false }),
    bn(),
    tf.layers.activation({ activation: 'relu' }),
  ];
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28 * 28], targetShape: [28, 28, 1] }),
      ...conv(16, 3), ...conv(16, 3), ...conv(16, 5, 2), tf.layers.dropout({ rate: 0.25 }),
      ...conv(32, 3), ...conv(32, 3), ...conv(32, 5, 2), tf.layers.dropout({ rate: 0.25 }),
      ...conv(64, 4), tf.layers.flatten(), tf.layers.dropout({ rate: 0.25 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.005), loss: lab.losses.labelSmoothingCrossentropy(hp.smoothing), metrics: ['accuracy'] });
  lab.summary(model);

  // Learning rate: one cycle over the whole run (up for a quarter, then down to almost nothing), or the codelab's decay.
  const schedule = hp.onecycle
    ? lab.schedules.oneCycle({ maxLr: 0.005, total: STEPS, warmupFraction: 0.25 })
    : lab.schedules.exponentialEpochDecay(0.01, 0.666);
  await lab.plotLearningRate(schedule, hp.epochs, STEPS_PER_EPOCH);

  // Train and validate
  await lab.fit(model, training, {
    epochs: hp.epochs,
    validationData: validation,
    callbacks: [lab.callbacks.plotTraining({ sampleRate: 10, zoom: 16 }), lab.callbacks.learningRateScheduler(schedule, { perStep: true, verbose: true })],
  });
  await lab.showPredictions(model);
}

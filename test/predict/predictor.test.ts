// The predictor: native compiled inference on the native backend, agreeing with TF.js predict; TF.js elsewhere.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { getPreset } from '../../src/models/index.js';
import { predictProbabilities } from '../../src/predict/predict.js';
import { createPredictor } from '../../src/predict/predictor.js';
import { installMathRandom, Rng } from '../../src/util/rng.js';

const images = (count: number) => new Float32Array(count * 784).map((_, i) => ((i * 37) % 256) / 256);

function build(preset: string): tf.Sequential {
  const restore = installMathRandom(new Rng(5));
  try {
    return getPreset(preset).build();
  } finally {
    restore();
  }
}

describe.skipIf(SKIP_NATIVE)('createPredictor on the native backend', () => {
  it.each(['03-relu-adam', '10-conv-bn'])('compiles %s and agrees with TF.js predict, in chunks', async (preset) => {
    await initBackend({ backend: 'native' });
    const model = build(preset);
    const predictor = await createPredictor(model, 16);
    expect(predictor.engine).toBe('native-compiled');
    const count = 37; // more than two chunks of 16
    const got = predictor.probabilities(images(count), count);
    const want = predictProbabilities(model, images(count), count);
    expect(got).toHaveLength(count * 10);
    got.forEach((p, i) => expect(Math.abs(p - want[i])).toBeLessThan(1e-4));
    predictor.dispose();
    model.dispose();
  });
});

describe('createPredictor elsewhere', () => {
  it('predicts through TF.js on wasm', async () => {
    await initBackend({ backend: 'wasm' });
    const model = build('01-softmax');
    const predictor = await createPredictor(model);
    expect(predictor.engine).toBe('tfjs-wasm');
    expect(Array.from(predictor.probabilities(images(3), 3))).toEqual(Array.from(predictProbabilities(model, images(3), 3)));
    model.dispose();
  });
});

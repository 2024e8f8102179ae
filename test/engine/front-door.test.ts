// The front door's predictor: native compiled inference on the native backend, agreeing with TF.js predict; TF.js elsewhere.
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { SKIP_NATIVE } from '../helpers/native.js';
import { predictProbabilities } from '../../src/predict/predict.js';
import { choosePredictor } from '../../src/engine/front-door.js';
import { stepModel } from '../helpers/steps.js';

const images = (count: number) => new Float32Array(count * 784).map((_, i) => ((i * 37) % 256) / 256);

describe.skipIf(SKIP_NATIVE)('choosePredictor on the native backend', () => {
  it.each(['03-relu-adam', '10-conv-bn'])('compiles %s and agrees with TF.js predict, in chunks', async (preset) => {
    await initBackend({ backend: 'native' });
    const model = await stepModel(preset);
    const predictor = await choosePredictor(model, 16);
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

describe('choosePredictor elsewhere', () => {
  it('predicts through TF.js on wasm', async () => {
    await initBackend({ backend: 'wasm' });
    const model = await stepModel('01-softmax');
    const predictor = await choosePredictor(model);
    expect(predictor.engine).toBe('tfjs-wasm');
    expect(Array.from(predictor.probabilities(images(3), 3))).toEqual(Array.from(predictProbabilities(model, images(3), 3)));
    model.dispose();
  });
});

// Op-by-op training on the TF.js 'native' backend (the path for models the compiled trainer can't take): one
// 10-conv-bn Adam step at batch 64, with the native conv gradient kernels and with TF.js's JS ones in their place.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { registerNativeBackend } from '../src/engine/native/backend.js';
import { TfjsTrainer } from '../src/engine/tfjs-trainer.js';
import { describeStepFile } from '../src/runner/describe-step.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '10' }, kernels: { type: 'string', default: 'native' } } });
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${values.steps}`);
if (values.kernels !== 'native' && values.kernels !== 'js') throw new Error(`--kernels must be native or js, got ${values.kernels}`);
tf.enableProdMode();
await registerNativeBackend();
if (values.kernels === 'js') {
  for (const name of [tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter]) {
    tf.unregisterKernel(name, 'native');
    tf.registerKernel({ ...(tf.getKernel(name, 'cpu') as tf.KernelConfig), backendName: 'native' });
  }
}
const model = (await describeStepFile('10-conv-bn')).model;
const trainer = new TfjsTrainer(model, 'one-hot');
const batch = 64;
const xs = Float32Array.from({ length: batch * 784 }, (_, i) => ((i * 7919) % 256) / 256);
const labels = Uint8Array.from({ length: batch }, (_, i) => i % 10);
for (let i = 0; i < 2; i++) await trainer.step(xs, labels, 0.01);
const start = performance.now();
for (let i = 0; i < steps; i++) await trainer.step(xs, labels, 0.01);
const seconds = (performance.now() - start) / 1000;
console.log(`10-conv-bn op by op on 'native', ${values.kernels} conv gradients: ${Math.round((steps * batch) / seconds)} img/s`);

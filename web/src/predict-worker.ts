// Web worker that runs the TF.js model for the drawing pad, so inference never blocks the page.
import * as tf from '@tensorflow/tfjs';

/** What the pad asks: load a model.json URL, or predict one 28×28 image (784 floats in [0,1]). */
export type WorkerRequest = { id: number; type: 'load'; url: string } | { id: number; type: 'predict'; image: Float32Array };

/** The answer to request `id`: probabilities for a prediction, nothing for a load, or an error message. */
export type WorkerResponse = { id: number; probabilities?: number[]; error?: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse): void;
};

let model: tf.LayersModel | null = null;
const ready = tf.setBackend('cpu');

async function handle(request: WorkerRequest): Promise<number[] | undefined> {
  await ready;
  if (request.type === 'load') {
    model?.dispose();
    model = null;
    model = await tf.loadLayersModel(request.url);
    return undefined;
  }
  if (model === null) throw new Error('no model loaded yet');
  const loaded = model;
  const shape = loaded.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const output = tf.tidy(() => loaded.predict(tf.tensor(request.image, [1, ...shape])) as tf.Tensor);
  const probabilities = Array.from(await output.data());
  output.dispose();
  return probabilities;
}

scope.onmessage = (event) => {
  const { id } = event.data;
  handle(event.data).then(
    (probabilities) => scope.postMessage({ id, probabilities }),
    (error: Error) => scope.postMessage({ id, error: error.message }),
  );
};

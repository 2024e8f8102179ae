// The layers mnist-lab adds to TF.js's, gathered for the public API's `layers`.
export { BatchNormalization, batchNormalization } from './batch-norm.js';

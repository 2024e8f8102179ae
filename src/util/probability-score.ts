// Cross-entropy and accuracy of predicted class probabilities against labels: the metric every engine and `eval` report.

export interface ProbabilityScore {
  loss: number;
  accuracy: number;
}

/** Cross-entropy (with Keras's 1e-7 clipping) and accuracy of `count` rows of `classes` probabilities against labels. */
export function scoreProbabilities(probabilities: Float32Array, labels: Uint8Array, count: number, classes = 10): ProbabilityScore {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    if (best === labels[i]) correct++;
    loss -= Math.log(Math.min(Math.max(row[labels[i]], 1e-7), 1 - 1e-7));
  }
  return { loss: loss / count, accuracy: correct / count };
}

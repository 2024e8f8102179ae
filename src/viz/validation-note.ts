// What the codelab calls "validation", stated honestly for legends and titles: the test set, or its first N digits.
import type { RunConfig } from '../run/schema.js';

export function validationNote(config: RunConfig, testCount = 10_000): string {
  const limit = config.overrides.valLimit;
  return limit !== null && limit < testCount ? `first ${limit.toLocaleString('en-US')} test digits` : `${Math.round(testCount / 1000)}k test set`;
}

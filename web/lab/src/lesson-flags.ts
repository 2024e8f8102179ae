// A lesson's command-line flags (--hp-augment, --hp-smoothing 0.1) as pieces of their own, so the page never breaks one at its hyphens.

/** A lesson cut into prose and flags, in order; joined back, the pieces are the lesson unchanged. */
export function lessonPieces(lesson: string): { text: string; flag: boolean }[] {
  return lesson
    .split(/(--[a-z][a-z0-9-]*)/)
    .filter((text) => text !== '')
    .map((text) => ({ text, flag: /^--[a-z]/.test(text) }));
}

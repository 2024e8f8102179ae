// A lesson's command-line flags (--hp-augment, --hp-smoothing 0.1) as pieces of their own, so the page never breaks one at its hyphens.

/** A lesson cut into prose and flags, in order; joined back, the pieces are the lesson unchanged. */
export function lessonPieces(lesson: string): { text: string; flag: boolean }[] {
  // Splitting on a captured pattern puts each match at an odd index.
  return lesson
    .split(/(--[a-z][a-z0-9-]*)/)
    .map((text, i) => ({ text, flag: i % 2 === 1 }))
    .filter((piece) => piece.text !== '');
}

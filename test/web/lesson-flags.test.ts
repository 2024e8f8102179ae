// Lessons cut into prose and flags: every flag whole, nothing lost or reordered.
import { describe, expect, it } from 'vitest';
import { lessonPieces } from '../../web/lab/src/lesson-flags.js';

describe('lessonPieces', () => {
  it('keeps each flag whole and the lesson unchanged when joined', () => {
    const lesson = 'Each ingredient is a knob (--hp-augment, --hp-onecycle, --hp-smoothing): --hp-smoothing 0.1 puts it back.';
    const pieces = lessonPieces(lesson);
    expect(pieces.filter((p) => p.flag).map((p) => p.text)).toEqual(['--hp-augment', '--hp-onecycle', '--hp-smoothing', '--hp-smoothing']);
    expect(pieces.map((p) => p.text).join('')).toBe(lesson);
    expect(pieces[0]).toEqual({ text: 'Each ingredient is a knob (', flag: false });
  });

  it('leaves prose without flags, and dashes that are not flags, as one piece', () => {
    expect(lessonPieces('a 5x5 conv -- then 0-1 and ל-0 ול-1')).toEqual([{ text: 'a 5x5 conv -- then 0-1 and ל-0 ול-1', flag: false }]);
    expect(lessonPieces('\u2066--hp-smoothing 0.1\u2069 מחזיר')).toEqual([
      { text: '\u2066', flag: false },
      { text: '--hp-smoothing', flag: true },
      { text: ' 0.1\u2069 מחזיר', flag: false },
    ]);
  });
});

// The font digits in the worker: the two faces loaded from the site's fonts/ folder, the glyphs drawn on OffscreenCanvases.
import { fontFaces, fontFileName } from '../../../../src/viz/font-faces.js';
import { drawFontDigits, type FontDigits } from '../../../../src/viz/font-digits.js';
import type { Context2D } from '../../../../src/viz/canvas-2d.js';

let drawn: Promise<FontDigits> | null = null;

/** The codelab's 24 font digits, drawn once per worker in the faces under `fontsUrl` (a folder URL ending in `/`). */
export function workerFontDigits(fontsUrl: string): Promise<FontDigits> {
  drawn ??= (async () => {
    // FontFaceSet.add, which TypeScript's DOM library leaves out.
    const fonts = (self as unknown as { fonts: { add(face: FontFace): void } }).fonts;
    for (const face of [fontFaces.digitsA, fontFaces.digitsB]) {
      const url = new URL(fontFileName(face), fontsUrl).href;
      fonts.add(await new FontFace(face.family, `url(${JSON.stringify(url)})`).load());
    }
    return drawFontDigits((width, height) => new OffscreenCanvas(width, height).getContext('2d') as unknown as Context2D);
  })();
  // A failed load (a host without fonts/) is tried again next time.
  drawn.catch(() => (drawn = null));
  return drawn;
}

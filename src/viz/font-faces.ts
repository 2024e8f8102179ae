// The typefaces the pictures use, as plain values (family, Debian's file and package): Node and the browser lab share them.
import { FONT_FAMILY } from './style.js';

export interface FontFace {
  /** Family name the drawing code asks for. */
  family: string;
  file: string;
  /** Debian package that installs the file (scripts/setup.sh installs both). */
  debianPackage: string;
}

const DEJAVU = '/usr/share/fonts/truetype/dejavu';
const FREEFONT = '/usr/share/fonts/truetype/freefont';

export const fontFaces = {
  /** Text of every picture. */
  text: { family: FONT_FAMILY, file: `${DEJAVU}/DejaVuSans.ttf`, debianPackage: 'fonts-dejavu-core' },
  /** The codelab's first font-digit face, exactly: DejaVuSansMono-Oblique.ttf. */
  digitsA: { family: 'Lab Digits Mono Oblique', file: `${DEJAVU}/DejaVuSansMono-Oblique.ttf`, debianPackage: 'fonts-dejavu-core' },
  /** Stands in for the codelab's STIXGeneral (a Times-like serif, not installed here): GNU FreeSerif. */
  digitsB: { family: 'Lab Digits Serif', file: `${FREEFONT}/FreeSerif.ttf`, debianPackage: 'fonts-freefont-ttf' },
} as const satisfies Record<string, FontFace>;

/** A face's file name without its folder: where a static site keeps its copy (the lab site's fonts/). */
export const fontFileName = (face: FontFace): string => face.file.slice(face.file.lastIndexOf('/') + 1);

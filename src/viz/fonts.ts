// Registers the typefaces the pictures use from Debian's font packages and fails clearly when one is missing.
import { GlobalFonts } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import { LabError } from '../errors.js';
import type { FontFace } from './font-faces.js';

const registered = new Set<string>();

/** Registers one face under its family name, once; throws FONT_MISSING naming the file and the package. */
export function ensureFont(face: FontFace): string {
  if (registered.has(face.family)) return face.family;
  const fail = (why: string) =>
    new LabError('FONT_MISSING', `font file ${face.file} ${why} (needed for the "${face.family}" face of the pictures)`, {
      hint: `install the Debian package ${face.debianPackage} (sudo apt-get install ${face.debianPackage}, or run scripts/setup.sh)`,
    });
  if (!existsSync(face.file)) throw fail('does not exist');
  // A face that fails to load would silently fall back to another font: check both the key and the family.
  const key = GlobalFonts.registerFromPath(face.file, face.family);
  if (key === null || !GlobalFonts.has(face.family)) throw fail('could not be loaded as a font');
  registered.add(face.family);
  return face.family;
}

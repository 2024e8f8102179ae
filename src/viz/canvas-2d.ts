// The part of a 2D canvas context the pictures draw with: @napi-rs/canvas in Node and the browser's canvases share it.

/** RGBA pixels, row-major, as getImageData gives them. */
export interface Pixels {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** Rectangles, text and reading pixels back. */
export interface Context2D {
  /** A CSS colour when the pictures set it. */
  fillStyle: unknown;
  font: string;
  textAlign: string;
  textBaseline: string;
  fillRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  getImageData(x: number, y: number, width: number, height: number): Pixels;
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
}

/** A context that also writes pixels; `Image` is its own ImageData type (Node's and the browser's differ). */
export interface PixelContext2D<Image extends Pixels> extends Context2D {
  createImageData(width: number, height: number): Image;
  putImageData(image: Image, x: number, y: number): void;
}

/** A new canvas's context: createCanvas(w, h).getContext('2d') in Node, an OffscreenCanvas's in a browser worker. */
export type NewContext = (width: number, height: number) => Context2D;

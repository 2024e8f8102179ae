// Window geometry of a 2-D convolution or pooling on NHWC activations (output size, TF's padding): the one place
// the engine computes it, for the compiled network, the TF.js native backend's kernels and the wasm kernels.

/** One window operation per sample; field names as the native addon reads them (and as TF.js's Conv2DInfo). */
export interface WindowGeometry {
  inHeight: number;
  inWidth: number;
  inChannels: number;
  /** The kernel (convolution) or pool (pooling) size. */
  filterHeight: number;
  filterWidth: number;
  /** Pooling: equals inChannels. */
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
}

/** A window geometry for a batch, as the TF.js kernels see one call. */
export interface ConvGeometry extends WindowGeometry {
  batchSize: number;
}

export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** TF's 'same' and 'valid', or explicit pads (TF.js rounds their output size as `roundingMode` says). */
export type Padding = 'same' | 'valid' | ExplicitPadding;

export type RoundingMode = 'floor' | 'round' | 'ceil';

export interface WindowSpec {
  filterHeight: number;
  filterWidth: number;
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  padding: Padding;
  /** Explicit pads only: how the output size is rounded (TF.js truncates by default). */
  roundingMode?: RoundingMode;
}

function rounded(value: number, mode: RoundingMode | undefined): number {
  if (mode === 'round') return Math.round(value);
  if (mode === 'ceil') return Math.ceil(value);
  if (mode === 'floor') return Math.floor(value);
  return Math.trunc(value);
}

/** One axis: TF's 'same' pads (total split with the extra pixel after), 'valid' none, explicit as given. */
function axis(size: number, filter: number, stride: number, padding: Padding, before: 'top' | 'left', mode?: RoundingMode) {
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + filter - size);
    return { out, padBefore: Math.floor(total / 2), padAfter: total - Math.floor(total / 2) };
  }
  if (padding === 'valid') return { out: Math.ceil((size - filter + 1) / stride), padBefore: 0, padAfter: 0 };
  const [padBefore, padAfter] = before === 'top' ? [padding.top, padding.bottom] : [padding.left, padding.right];
  return { out: rounded((size - filter + padBefore + padAfter) / stride + 1, mode), padBefore, padAfter };
}

/** The geometry of a window of `spec` over an inHeight × inWidth × inChannels input, as TF.js computes it. */
export function windowGeometry(inHeight: number, inWidth: number, inChannels: number, spec: WindowSpec): WindowGeometry {
  const rows = axis(inHeight, spec.filterHeight, spec.strideHeight, spec.padding, 'top', spec.roundingMode);
  const cols = axis(inWidth, spec.filterWidth, spec.strideWidth, spec.padding, 'left', spec.roundingMode);
  return {
    inHeight, inWidth, inChannels,
    filterHeight: spec.filterHeight, filterWidth: spec.filterWidth, outChannels: spec.outChannels,
    strideHeight: spec.strideHeight, strideWidth: spec.strideWidth,
    padTop: rows.padBefore, padBottom: rows.padAfter, padLeft: cols.padBefore, padRight: cols.padAfter,
    outHeight: rows.out, outWidth: cols.out,
  };
}

/** The attributes of a TF.js Conv2D kernel (and its gradients) that set the geometry. */
export interface ConvKernelAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | number[][];
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: RoundingMode;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * The geometry of one TF.js conv kernel call: x NHWC [batch, h, w, c], filter HWIO [kh, kw, c, oc] and its attrs;
 * null for what it cannot describe (channels-first data, dilation).
 */
export function convKernelGeometry(xShape: number[], filterShape: number[], attrs: ConvKernelAttrs): ConvGeometry | null {
  const channelsLast = attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC' || attrs.dataFormat === 'channelsLast';
  const [dilationHeight, dilationWidth] = pair(attrs.dilations ?? 1);
  if (!channelsLast || xShape.length !== 4 || filterShape.length !== 4 || dilationHeight !== 1 || dilationWidth !== 1) return null;
  const { pad } = attrs;
  const padding: Padding =
    typeof pad === 'number'
      ? { top: pad, bottom: pad, left: pad, right: pad }
      : Array.isArray(pad)
        ? { top: pad[1][0], bottom: pad[1][1], left: pad[2][0], right: pad[2][1] }
        : pad;
  const [strideHeight, strideWidth] = pair(attrs.strides);
  const [batchSize, inHeight, inWidth, inChannels] = xShape;
  const [filterHeight, filterWidth, , outChannels] = filterShape;
  const geometry = windowGeometry(inHeight, inWidth, inChannels, {
    filterHeight, filterWidth, outChannels, strideHeight, strideWidth, padding, roundingMode: attrs.dimRoundingMode,
  });
  if (typeof pad === 'number') {
    // TF.js sizes both axes of a numeric pad with the filter's height and the height stride (computeOutputShape2D).
    geometry.outWidth = rounded((inWidth - filterHeight + 2 * pad) / strideHeight + 1, attrs.dimRoundingMode);
  }
  return { batchSize, ...geometry };
}

/** Whether every output window starts inside the padded input (out = (in + pads - filter) / stride + 1, rounded
 * down): what oneDNN's primitives accept. TF's same/valid always do; explicit pads rounded up may not. */
export function windowsFit(g: WindowGeometry): boolean {
  const fits = (size: number, filter: number, stride: number, before: number, after: number, out: number): boolean =>
    size + before + after >= filter && Math.floor((size + before + after - filter) / stride) + 1 === out;
  return (
    fits(g.inHeight, g.filterHeight, g.strideHeight, g.padTop, g.padBottom, g.outHeight) &&
    fits(g.inWidth, g.filterWidth, g.strideWidth, g.padLeft, g.padRight, g.outWidth)
  );
}

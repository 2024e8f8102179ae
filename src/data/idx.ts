// IDX bytes ⇄ {dtype, shape, data}: parses and encodes the MNIST file format, validating every header field.
import { LabError } from '../errors.js';

/** The element arrays of each IDX element type. */
export interface IdxTypedArrays {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

export type IdxDtype = keyof IdxTypedArrays;

/** A decoded IDX file: `data` holds the product of `shape` elements in row-major order. */
export type IdxArray = {
  [D in IdxDtype]: { dtype: D; shape: number[]; data: IdxTypedArrays[D] };
}[IdxDtype];

interface DtypeInfo {
  dtype: IdxDtype;
  code: number;
  bytes: number;
  read: (view: DataView, offset: number) => number;
  write: (view: DataView, offset: number, value: number) => void;
  make: (length: number) => IdxTypedArrays[IdxDtype];
}

// Type codes from the IDX spec (yann.lecun.com/exdb/mnist); multi-byte values are big-endian.
const DTYPES: readonly DtypeInfo[] = [
  { dtype: 'uint8', code: 0x08, bytes: 1, read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x), make: (n) => new Uint8Array(n) },
  { dtype: 'int8', code: 0x09, bytes: 1, read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x), make: (n) => new Int8Array(n) },
  { dtype: 'int16', code: 0x0b, bytes: 2, read: (v, o) => v.getInt16(o), write: (v, o, x) => v.setInt16(o, x), make: (n) => new Int16Array(n) },
  { dtype: 'int32', code: 0x0c, bytes: 4, read: (v, o) => v.getInt32(o), write: (v, o, x) => v.setInt32(o, x), make: (n) => new Int32Array(n) },
  { dtype: 'float32', code: 0x0d, bytes: 4, read: (v, o) => v.getFloat32(o), write: (v, o, x) => v.setFloat32(o, x), make: (n) => new Float32Array(n) },
  { dtype: 'float64', code: 0x0e, bytes: 8, read: (v, o) => v.getFloat64(o), write: (v, o, x) => v.setFloat64(o, x), make: (n) => new Float64Array(n) },
];

const MAX_RANK = 255;
const HEADER_BYTES = 4;
const DIM_BYTES = 4;
const REFETCH_HINT = 'the file is damaged or not an IDX file; re-fetch it with `mnist-lab data fetch` (or pass the right --data-dir)';

function badFile(source: string, what: string, expected: string, found: string): LabError {
  return new LabError('BAD_DATA_FILE', `${source}: bad IDX ${what}: expected ${expected}, found ${found}`, {
    hint: REFETCH_HINT,
  });
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** True when the bytes start with the gzip magic 1f 8b: how IDX files are usually shipped (`<name>.gz`). */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Decodes an IDX file; `source` (usually the path) names the file in errors. uint8 data is a view, not a copy. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < HEADER_BYTES) {
    throw badFile(source, 'header', `at least ${HEADER_BYTES} bytes`, `${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw badFile(source, 'magic', '0x00 0x00 as the first two bytes', `${hex(bytes[0])} ${hex(bytes[1])}`);
  }
  const info = DTYPES.find((d) => d.code === bytes[2]);
  if (info === undefined) {
    const codes = DTYPES.map((d) => `${hex(d.code)} (${d.dtype})`).join(', ');
    throw badFile(source, 'type code', `one of ${codes}`, hex(bytes[2]));
  }
  const rank = bytes[3];
  if (rank < 1) throw badFile(source, 'rank', 'at least 1 dimension', '0');
  const headerBytes = HEADER_BYTES + DIM_BYTES * rank;
  if (bytes.length < headerBytes) {
    throw badFile(source, 'header', `${headerBytes} bytes for rank ${rank}`, `${bytes.length} bytes in the whole file`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(HEADER_BYTES + DIM_BYTES * i));
  const length = shape.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + length * info.bytes;
  if (bytes.length !== expectedBytes) {
    const verdict = bytes.length < expectedBytes ? 'truncated' : 'trailing bytes';
    throw badFile(
      source,
      `byte length (${verdict})`,
      `${expectedBytes} bytes for ${info.dtype} [${shape.join(', ')}]`,
      `${bytes.length} bytes`,
    );
  }
  return { dtype: info.dtype, shape, data: decodeData(bytes, headerBytes, length, info) } as IdxArray;
}

function decodeData(bytes: Uint8Array, offset: number, length: number, info: DtypeInfo): IdxTypedArrays[IdxDtype] {
  if (info.dtype === 'uint8') return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
  if (info.dtype === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset + offset, length);
  const data = info.make(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length * info.bytes);
  for (let i = 0; i < length; i++) data[i] = info.read(view, i * info.bytes);
  return data;
}

/** Encodes an IdxArray as IDX bytes (big-endian); the shape must describe exactly data.length elements. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const info = DTYPES.find((d) => d.dtype === arr.dtype);
  if (info === undefined) throw new LabError('BAD_ARGUMENT', `encodeIdx: unknown dtype ${JSON.stringify(arr.dtype)}`);
  const { shape, data } = arr;
  if (shape.length < 1 || shape.length > MAX_RANK) {
    throw new LabError('BAD_ARGUMENT', `encodeIdx: rank must be 1-${MAX_RANK}; got ${shape.length}`);
  }
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0 || dim > 0xffffffff) {
      throw new LabError('BAD_ARGUMENT', `encodeIdx: dims must be integers in 0-${0xffffffff}; got [${shape.join(', ')}]`);
    }
  }
  const length = shape.reduce((a, b) => a * b, 1);
  if (length !== data.length) {
    throw new LabError('BAD_ARGUMENT', `encodeIdx: shape [${shape.join(', ')}] holds ${length} elements; data has ${data.length}`);
  }
  const headerBytes = HEADER_BYTES + DIM_BYTES * shape.length;
  const out = new Uint8Array(headerBytes + length * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  shape.forEach((dim, i) => view.setUint32(HEADER_BYTES + DIM_BYTES * i, dim));
  if (info.bytes === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, length), headerBytes);
  } else {
    for (let i = 0; i < length; i++) info.write(view, headerBytes + i * info.bytes, data[i]);
  }
  return out;
}

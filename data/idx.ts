import { ConfigError, ShapeError, ValueError, describeValue, fmtShape } from '../core/errors.ts';

// The IDX format (MNIST's files), read from and written to bytes; readIdx (read-idx.ts) reads files, in Node.

/** The element types an IDX file can hold. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: its dims, element type and values, row-major. */
export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: IdxData;
}

interface TypeInfo {
  code: number;
  bytes: number;
  /** Integer types: the range a value must lie in to be written. */
  range?: readonly [number, number];
  alloc: (n: number) => IdxData;
  // DataView reads and writes big-endian unless told otherwise, which is what IDX uses.
  read: (view: DataView, offset: number) => number;
  write: (view: DataView, offset: number, value: number) => void;
}

const TYPES: Record<IdxType, TypeInfo> = {
  uint8: {
    code: 0x08, bytes: 1, range: [0, 255], alloc: (n) => new Uint8Array(n),
    read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x),
  },
  int8: {
    code: 0x09, bytes: 1, range: [-128, 127], alloc: (n) => new Int8Array(n),
    read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x),
  },
  int16: {
    code: 0x0b, bytes: 2, range: [-32768, 32767], alloc: (n) => new Int16Array(n),
    read: (v, o) => v.getInt16(o), write: (v, o, x) => v.setInt16(o, x),
  },
  int32: {
    code: 0x0c, bytes: 4, range: [-2147483648, 2147483647], alloc: (n) => new Int32Array(n),
    read: (v, o) => v.getInt32(o), write: (v, o, x) => v.setInt32(o, x),
  },
  float32: {
    code: 0x0d, bytes: 4, alloc: (n) => new Float32Array(n),
    read: (v, o) => v.getFloat32(o), write: (v, o, x) => v.setFloat32(o, x),
  },
  float64: {
    code: 0x0e, bytes: 8, alloc: (n) => new Float64Array(n),
    read: (v, o) => v.getFloat64(o), write: (v, o, x) => v.setFloat64(o, x),
  },
};

const TYPE_NAMES = Object.keys(TYPES) as IdxType[];

/** IDX allows up to 255 dims; anything past this is a corrupt header, not real data. */
const MAX_DIMS = 16;

const bytesText = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/** An IDX file's header: its dims, element type, and where the values start. */
export interface IdxHeader {
  dims: number[];
  type: IdxType;
  headerBytes: number;
}

/** The bytes of one value of an IDX type. */
export function idxValueBytes(type: IdxType): number {
  return TYPES[type].bytes;
}

/**
 * Decodes the header at the start of `bytes` (which may hold more, or only the header): 00 00 <type byte>
 * <ndims>, then ndims big-endian uint32 dims. `name` is for messages.
 */
export function parseIdxHeader(bytes: Uint8Array, name = '<buffer>'): IdxHeader {
  if (bytes.length < 4) {
    throw new ValueError(`readIdx: ${name} is too short for an IDX header: expected at least 4 bytes, found ${bytesText(bytes.length)}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ValueError(`readIdx: ${name} is not an IDX file: expected the magic 00 00 <type> <ndims>, found ${hex(bytes.subarray(0, 4))}`);
  }
  const type = TYPE_NAMES.find((t) => TYPES[t].code === bytes[2]);
  if (type === undefined) {
    const known = TYPE_NAMES.map((t) => `0x${TYPES[t].code.toString(16).padStart(2, '0')} ${t}`).join(', ');
    throw new ValueError(`readIdx: ${name} has unknown type byte 0x${bytes[2].toString(16).padStart(2, '0')} (expected one of ${known})`);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > MAX_DIMS) {
    throw new ValueError(`readIdx: ${name} declares ${rank} dims (expected 1 to ${MAX_DIMS})`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new ValueError(`readIdx: ${name} is too short for an IDX header with ${rank} dims: expected at least ${headerBytes} bytes, found ${bytesText(bytes.length)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dims: Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i)), type, headerBytes };
}

/** `count` big-endian values of `type` from the start of `bytes` (a whole file's values, or one chunk of them). */
export function decodeIdxValues(bytes: Uint8Array, type: IdxType, count: number): IdxData {
  const info = TYPES[type];
  const data = info.alloc(count);
  if (info.bytes === 1) {
    // One-byte types need no byte swapping; set() converts each byte (int8 wraps 255 to -1).
    data.set(bytes.subarray(0, count));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0, o = 0; i < count; i++, o += info.bytes) data[i] = info.read(view, o);
  }
  return data;
}

/**
 * Decodes the bytes of an IDX file into { dims, type, data } (`name` is for messages; gunzip first, see readIdx).
 * Layout: 00 00 <type byte> <ndims>, then ndims big-endian uint32 dims, then the values big-endian.
 */
export function parseIdx(bytes: Uint8Array, name = '<buffer>'): IdxArray {
  const { dims, type, headerBytes } = parseIdxHeader(bytes, name);
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * TYPES[type].bytes;
  const found = bytes.length - headerBytes;
  if (found !== expected) {
    const diff = found < expected ? `truncated, ${bytesText(expected - found)} missing` : `${bytesText(found - expected)} trailing`;
    throw new ValueError(`readIdx: ${name} has dims ${fmtShape(dims)} of ${type}, which need ${bytesText(expected)} of data, but found ${found} (${diff})`);
  }
  return { dims, type, data: decodeIdxValues(bytes.subarray(headerBytes), type, count) };
}

/** Encodes values as an IDX file, the inverse of readIdx (uncompressed). */
export function writeIdx(data: ArrayLike<number>, dims: readonly number[], type: IdxType): Uint8Array {
  const info = TYPES[type];
  if (info === undefined) {
    throw new ConfigError(`writeIdx: unknown type ${describeValue(type)} (expected one of ${TYPE_NAMES.join(', ')})`);
  }
  if (dims.length < 1 || dims.length > MAX_DIMS || !dims.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) {
    throw new ShapeError(`writeIdx: dims must be 1 to ${MAX_DIMS} integers in [0, 2^32), got ${fmtShape(dims)}`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new ShapeError(`writeIdx: dims ${fmtShape(dims)} need ${count} values, got ${data.length}`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + count * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0, o = headerBytes; i < count; i++, o += info.bytes) {
    const value = data[i];
    if (info.range && !(Number.isInteger(value) && value >= info.range[0] && value <= info.range[1])) {
      throw new ValueError(`writeIdx: ${type} holds integers in [${info.range[0]}, ${info.range[1]}], got ${value} at index ${i}`);
    }
    info.write(view, o, value);
  }
  return out;
}

import { ShapeError, ValueError, fmtShape } from '../core/errors.ts';
import { checkOptionKeys, positiveInt } from '../core/options.ts';
import { sizeOf } from '../core/shape.ts';
import { Tensor } from '../core/tensor.ts';
import type { ByteReader, ByteSource } from './byte-source.ts';
import { Dataset } from './dataset.ts';
import type { IdxData, IdxHeader } from './idx.ts';
import { decodeIdxValues, idxValueBytes, parseIdxHeader } from './idx.ts';

export interface IdxDatasetOptions {
  /** Records per read (default 1024): at most this many records of each file are in memory at once. */
  chunk?: number;
  /** xs = value / divideBy (255 gives pixels in [0, 1], as loadMnist). Default 1. */
  divideBy?: number;
  /** ys as one-hot rows of this many classes, from integer labels. Default: the labels' values as they are. */
  oneHot?: number;
  /** The shape of each xs (e.g. [784] for a Dense model); default the file's record shape ([28, 28] for MNIST). */
  shape?: readonly number[];
}

/** One record of each file: the input and its target. */
export interface IdxElement { xs: Tensor; ys: Tensor }

/** An open IDX file: its header, read in a first small read, and the reader for the values. */
async function openIdx(source: ByteSource, who: string): Promise<{ reader: ByteReader; header: IdxHeader; recordValues: number }> {
  const reader = await source.open();
  try {
    const start = await reader.read(0, 4);
    if (start[0] === 0x1f && start[1] === 0x8b) throw new ValueError(`${source.name} is gzipped; a dataset reads it in chunks, which needs the plain file: gunzip it first`);
    const header = parseIdxHeader(await reader.read(0, 4 + 4 * (start.length === 4 ? start[3] : 0)), source.name);
    const recordValues = sizeOf(header.dims.slice(1));
    const expected = header.headerBytes + header.dims[0] * recordValues * idxValueBytes(header.type);
    if (reader.size !== expected) {
      throw new ValueError(`${source.name} has dims ${fmtShape(header.dims)} of ${header.type}, which need ${expected} bytes with the header, but the file has ${reader.size}`);
    }
    return { reader, header, recordValues };
  } catch (error) {
    await reader.close();
    throw new ValueError(`${who}: ${(error as Error).message.replace(/^readIdx: /, '')}`);
  }
}

/** Records [from, from + rows) of an open file, decoded. */
async function readRecords(file: { reader: ByteReader; header: IdxHeader; recordValues: number }, from: number, rows: number): Promise<IdxData> {
  const bytes = idxValueBytes(file.header.type);
  const recordBytes = file.recordValues * bytes;
  const raw = await file.reader.read(file.header.headerBytes + from * recordBytes, rows * recordBytes);
  return decodeIdxValues(raw, file.header.type, rows * file.recordValues);
}

/**
 * A dataset of { xs, ys } records from an IDX file of inputs and one of targets (MNIST's images and labels), read
 * `chunk` records at a time from any ByteSource, so the files are never in memory whole. Each pass reads them anew.
 */
export function idxDatasetOf(inputs: ByteSource, targets: ByteSource, options: IdxDatasetOptions = {}): Dataset<IdxElement> {
  const who = 'idxDataset';
  checkOptionKeys(options, ['chunk', 'divideBy', 'oneHot', 'shape'], who);
  const chunk = positiveInt(options.chunk ?? 1024, 'chunk', who);
  const { divideBy = 1, shape } = options;
  if (typeof divideBy !== 'number' || !(divideBy > 0) || !Number.isFinite(divideBy)) throw new ValueError(`${who}: divideBy must be a finite number > 0, got ${String(divideBy)}`);
  const classes = options.oneHot === undefined ? undefined : positiveInt(options.oneHot, 'oneHot', who);
  return new Dataset(async function* () {
    const x = await openIdx(inputs, who);
    try {
      const y = await openIdx(targets, who);
      try {
        const rows = x.header.dims[0];
        if (y.header.dims[0] !== rows) throw new ValueError(`${who}: ${inputs.name} holds ${rows} records but ${targets.name} holds ${y.header.dims[0]}`);
        const xShape = shape === undefined ? x.header.dims.slice(1) : [...shape];
        if (sizeOf(xShape) !== x.recordValues) throw new ShapeError(`${who}: shape ${fmtShape(xShape)} does not hold a record of ${inputs.name}, ${fmtShape(x.header.dims.slice(1))}`);
        const yShape = classes === undefined ? y.header.dims.slice(1) : [classes];
        for (let from = 0; from < rows; from += chunk) {
          const n = Math.min(chunk, rows - from);
          const [xv, yv] = await Promise.all([readRecords(x, from, n), readRecords(y, from, n)]);
          // Each record gets copies of its own: views of the read's arrays would keep a whole read alive as long as
          // one of its records waits in a shuffle buffer.
          const xs = dividedBy(xv, divideBy);
          const ys = targetRows(yv, n, classes, targets.name, from);
          const xSize = x.recordValues;
          const ySize = ys.length / n;
          for (let i = 0; i < n; i++) {
            yield { xs: new Tensor(xs.slice(i * xSize, (i + 1) * xSize), xShape), ys: new Tensor(ys.slice(i * ySize, (i + 1) * ySize), yShape) };
          }
        }
      } finally {
        await y.reader.close();
      }
    } finally {
      await x.reader.close();
    }
  }, undefined);
}

/** values / divisor as float32; bytes through a table of the 256 quotients, the same values without a division each. */
function dividedBy(values: IdxData, divisor: number): Float32Array {
  const out = new Float32Array(values.length);
  if (values instanceof Uint8Array) {
    const table = Float32Array.from({ length: 256 }, (_, v) => v / divisor);
    for (let k = 0; k < out.length; k++) out[k] = table[values[k]];
  } else {
    for (let k = 0; k < out.length; k++) out[k] = values[k] / divisor;
  }
  return out;
}

/** The targets of n records as float32: their values, or one-hot rows of `classes` from integer labels. */
function targetRows(values: IdxData, n: number, classes: number | undefined, name: string, from: number): Float32Array {
  if (classes === undefined) return Float32Array.from(values);
  if (values.length !== n) throw new ValueError(`idxDataset: oneHot needs one integer label per record, but ${name} has ${values.length / n} values per record`);
  const rows = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const label = values[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ValueError(`idxDataset: oneHot needs one integer label in 0..${classes - 1} per record, but record ${from + i} of ${name} is ${label}`);
    }
    rows[i * classes + label] = 1;
  }
  return rows;
}

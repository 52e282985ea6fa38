import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ValueError, describeValue } from '../core/errors.ts';
import type { IdxArray } from './idx.ts';
import { parseIdx } from './idx.ts';

/**
 * Reads an IDX file (a path, or its bytes) into { dims, type, data }.
 * Layout: 00 00 <type byte> <ndims>, then ndims big-endian uint32 dims, then the values big-endian.
 * Bytes starting with the gzip magic 1f 8b are gunzipped first, whatever the file is called.
 */
export function readIdx(source: string | Uint8Array): IdxArray {
  let name: string;
  let raw: Uint8Array;
  if (typeof source === 'string') {
    name = source;
    try {
      raw = readFileSync(source);
    } catch (error) {
      throw new ValueError(`readIdx: cannot read ${name}: ${(error as Error).message}`);
    }
  } else if (source instanceof Uint8Array) {
    name = '<buffer>';
    raw = source;
  } else {
    throw new ValueError(`readIdx: expected a file path or a Uint8Array, got ${describeValue(source)}`);
  }

  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (error) {
      throw new ValueError(`readIdx: ${name} starts with the gzip magic 1f 8b but does not gunzip: ${(error as Error).message}`);
    }
    name = `${name} (gunzipped)`;
  }
  return parseIdx(bytes, name);
}


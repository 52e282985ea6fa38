import { ValueError } from '../../core/errors.ts';
import type { FileDigest } from '../serialization/files.ts';
import { sha256Hex } from './sha256.ts';

/** Where a saved model's files are read from: a directory, an IndexedDB record, a URL. */
export interface ModelSource {
  /** How messages name `file` of the model: its path, URL or record. */
  where(file: string): string;
  /** The text of `file` (model.json). Throws when it cannot be read; the caller says which file. */
  readText(file: string): Promise<string>;
  /** The bytes of data file `file`, checked against the size and SHA-256 model.json recorded for it, if any. */
  readData(file: string, expected: FileDigest | undefined): Promise<Uint8Array>;
}

/** Size and SHA-256 of `bytes`, as model.json records them. */
export function digestOf(bytes: Uint8Array): FileDigest {
  return { bytes: bytes.length, sha256: sha256Hex(bytes) };
}

/** `bytes` when they are what model.json recorded; otherwise a ValueError naming `where` and what differs. */
export function checkedData(bytes: Uint8Array, expected: FileDigest | undefined, where: string): Uint8Array {
  if (expected === undefined) return bytes;
  if (bytes.length !== expected.bytes) {
    throw new ValueError(`${where}: has ${bytes.length} bytes, but model.json expects ${expected.bytes}: ${bytes.length < expected.bytes ? 'it is truncated' : 'it is longer than model.json says'}`);
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== expected.sha256) {
    throw new ValueError(`${where}: has sha256 ${sha256.slice(0, 12)}…, but model.json expects ${expected.sha256.slice(0, 12)}…: its contents differ from what model.json recorded`);
  }
  return bytes;
}

/** A saved model held in memory (an IndexedDB record), its files by name. */
export function memorySource(name: string, files: ReadonlyMap<string, Uint8Array>): ModelSource {
  const where = (file: string) => `${name}/${file}`;
  const read = (file: string): Uint8Array => {
    const bytes = files.get(file);
    if (bytes === undefined) throw new ValueError(`${where(file)}: the file is missing`);
    return bytes;
  };
  return {
    where,
    readText: async (file) => new TextDecoder().decode(read(file)),
    readData: async (file, expected) => checkedData(read(file), expected, where(file)),
  };
}

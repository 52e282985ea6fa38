import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ValueError } from '../core/errors.ts';
import type { ByteReader, ByteSource } from './byte-source.ts';

/** A file read in pieces at given offsets (Node); each open() opens it anew, close() closes it. */
export function fileSource(path: string): ByteSource {
  return {
    name: path,
    async open(): Promise<ByteReader> {
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (error) {
        throw new ValueError(`cannot read ${path}: ${(error as Error).message}`);
      }
      const { size } = await handle.stat();
      return {
        size,
        async read(offset: number, length: number): Promise<Uint8Array> {
          const bytes = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
          for (let done = 0; done < bytes.length;) {
            const { bytesRead } = await handle.read(bytes, done, bytes.length - done, offset + done);
            if (bytesRead === 0) break;
            done += bytesRead;
          }
          return bytes;
        },
        close: () => handle.close(),
      };
    },
  };
}

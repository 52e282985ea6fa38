/** An open file (or blob, or buffer) read piece by piece: what a dataset reads a large file through. */
export interface ByteReader {
  /** The total number of bytes. */
  readonly size: number;
  /** `length` bytes from `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Something to read bytes from, opened anew for each pass over a dataset. `name` is for messages. */
export interface ByteSource {
  readonly name: string;
  open(): Promise<ByteReader>;
}

/** Bytes already in memory as a source (tests, fetched files). */
export function bytesSource(bytes: Uint8Array, name = '<buffer>'): ByteSource {
  return {
    name,
    open: async () => ({ size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length), close: async () => undefined }),
  };
}

/** What blobSource reads: a Blob or File (typed here without lib.dom, which the root entry does not need). */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** A Blob or File (a page's file input) as a source: each read is a slice, so the whole file is never in memory. */
export function blobSource(blob: BlobLike, name = '<blob>'): ByteSource {
  return {
    name,
    open: async () => ({
      size: blob.size,
      read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
      close: async () => undefined,
    }),
  };
}

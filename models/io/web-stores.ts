import { ConfigError, ValueError } from '../../core/errors.ts';
import { MODEL_FILE } from '../serialization/format.ts';
import type { SaveOptions } from '../save.ts';
import type { Model } from '../model.ts';
import { modelArtifacts } from './artifacts.ts';
import type { ModelSource } from './source.ts';
import { checkedData, digestOf, memorySource } from './source.ts';
import type { ModelStore } from './stores.ts';

// The stores any engine with browser APIs has: IndexedDB, downloads, and fetch. Same files as a directory save:
// model.json in the tfjs LayersModel format, weights.bin, and optimizer.bin with includeOptimizer.

const DATABASE = 'semiflow';
const TABLE = 'models';

/** The part of IndexedDB used here (the project compiles without lib.dom). */
interface Request<T> {
  result: T;
  error: { message: string } | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenRequest extends Request<Database> {
  onupgradeneeded: (() => void) | null;
}
interface Database {
  createObjectStore(name: string): unknown;
  objectStoreNames: { contains(name: string): boolean };
  transaction(table: string, mode: 'readonly' | 'readwrite'): {
    objectStore(name: string): { put(value: unknown, key: string): Request<unknown>; get(key: string): Request<unknown> };
    oncomplete: (() => void) | null;
    onerror: (() => void) | null;
    error: { message: string } | null;
  };
  close(): void;
}
type BrowserGlobals = {
  indexedDB?: { open(name: string, version: number): OpenRequest };
  document?: { createElement(tag: 'a'): { href: string; download: string; click(): void } };
  Blob?: new (parts: Uint8Array[], options: { type: string }) => unknown;
  URL: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;
};
const web = globalThis as unknown as BrowserGlobals;

/** What an IndexedDB record holds: a save's files by name, model.json among them. */
type SavedRecord = Record<string, Uint8Array>;

const nameAfter = (location: string, scheme: string): string => location.slice(scheme.length);

function settle<T>(request: Request<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new ValueError(`${what}: ${request.error?.message ?? 'IndexedDB refused'}`));
  });
}

async function openDatabase(who: string): Promise<Database> {
  if (web.indexedDB === undefined) throw new ConfigError(`${who}: this engine has no IndexedDB`);
  const request = web.indexedDB.open(DATABASE, 1);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(TABLE)) request.result.createObjectStore(TABLE);
  };
  return settle(request, who);
}

function artifactsRecord(model: Model, options: SaveOptions, where: string): SavedRecord {
  const { index, files } = modelArtifacts(model, options, where, digestOf);
  return { [MODEL_FILE]: index, ...Object.fromEntries(files) };
}

function checkName(name: string, location: string, who: string): string {
  if (name === '') throw new ConfigError(`${who}: ${location} names no model; write it as ${location}name`);
  return name;
}

const INDEXEDDB = 'indexeddb://';

/** 'indexeddb://name': one record per model in the database 'semiflow', written in one transaction (all or nothing). */
export const indexedDbStore: ModelStore = {
  name: INDEXEDDB,
  accepts: (location) => location.startsWith(INDEXEDDB),
  async save(model, location, options) {
    const who = `${model.name}.save`;
    const name = checkName(nameAfter(location, INDEXEDDB), location, who);
    const record = artifactsRecord(model, options, who);
    const db = await openDatabase(who);
    try {
      const tx = db.transaction(TABLE, 'readwrite');
      tx.objectStore(TABLE).put(record, name);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(new ValueError(`${who}: ${location}: ${tx.error?.message ?? 'the transaction failed'}`));
      });
    } finally {
      db.close();
    }
  },
  open(location) {
    const who = 'loadModel';
    const name = checkName(nameAfter(location, INDEXEDDB), location, who);
    let files: Promise<Map<string, Uint8Array>> | undefined;
    const record = (): Promise<Map<string, Uint8Array>> => (files ??= (async () => {
      const db = await openDatabase(who);
      try {
        const found = await settle(db.transaction(TABLE, 'readonly').objectStore(TABLE).get(name), `${who}: ${location}`);
        if (found === undefined) throw new ValueError(`${location}: no model is saved under this name`);
        return new Map(Object.entries(found as SavedRecord));
      } finally {
        db.close();
      }
    })());
    const source = (map: Map<string, Uint8Array>) => memorySource(location, map);
    return {
      where: (file) => `${location}/${file}`,
      readText: async (file) => source(await record()).readText(file),
      readData: async (file, expected) => source(await record()).readData(file, expected),
    };
  },
};

const DOWNLOADS = 'downloads://';

/**
 * 'downloads://name': the browser downloads model.json, weights.bin (and optimizer.bin). The files keep these
 * names, which model.json refers to, so that put in one folder they load as a directory or from a URL.
 */
export const downloadsStore: ModelStore = {
  name: DOWNLOADS,
  accepts: (location) => location.startsWith(DOWNLOADS),
  async save(model, location, options) {
    const who = `${model.name}.save`;
    checkName(nameAfter(location, DOWNLOADS), location, who);
    const { document, Blob } = web;
    if (document === undefined || Blob === undefined) throw new ConfigError(`${who}: ${location} needs a page (document) to download from`);
    for (const [file, bytes] of Object.entries(artifactsRecord(model, options, who))) {
      const url = web.URL.createObjectURL(new Blob([bytes], { type: file === MODEL_FILE ? 'application/json' : 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      link.click();
      // The click has started the download; the URL can go once the event loop turns.
      setTimeout(() => web.URL.revokeObjectURL(url), 0);
    }
  },
  open(location) {
    throw new ConfigError(`loadModel: ${location}: downloads cannot be read back; load the downloaded files from a URL, a directory or IndexedDB`);
  },
};

async function fetchBytes(url: string): Promise<Uint8Array> {
  if (web.fetch === undefined) throw new ConfigError(`loadModel: ${url}: this engine has no fetch`);
  const response = await web.fetch(url);
  if (!response.ok) throw new ValueError(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** 'http(s)://…/model.json': the data files are fetched from beside it, as the weights manifest names them. */
export const httpStore: ModelStore = {
  name: 'http(s):// URLs',
  accepts: (location) => /^https?:\/\//i.test(location),
  async save(model, location) {
    throw new ConfigError(`${model.name}.save: ${location}: cannot save to a URL; use 'indexeddb://name' or 'downloads://name'`);
  },
  open(location): ModelSource {
    const where = (file: string) => (file === MODEL_FILE ? location : new URL(file, location).href);
    return {
      where,
      readText: async (file) => new TextDecoder().decode(await fetchBytes(where(file))),
      readData: async (file, expected) => {
        let bytes: Uint8Array;
        try {
          bytes = await fetchBytes(where(file));
        } catch (error) {
          throw new ValueError(`${where(file)}: cannot fetch the file (${(error as Error).message}); model.json lists ${file}`);
        }
        return checkedData(bytes, expected, where(file));
      },
    };
  },
};

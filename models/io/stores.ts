import { ConfigError, describeValue } from '../../core/errors.ts';
import type { SaveOptions } from '../save.ts';
import type { Model } from '../model.ts';
import type { ModelSource } from './source.ts';
import { downloadsStore, httpStore, indexedDbStore } from './web-stores.ts';

// Where models are saved and loaded: each location goes to the first store that accepts it. The root entry
// knows indexeddb://, downloads:// and http(s):// (see web-stores.ts); the Node entry adds the file system.

export interface ModelStore {
  /** What the store holds, for messages: 'IndexedDB', 'a directory'... */
  readonly name: string;
  accepts(location: string): boolean;
  save(model: Model, location: string, options: SaveOptions): Promise<void>;
  /** A reader of the saved model at `location`; `who` (loadModel, net.loadWeights) names the caller in its errors. */
  open(location: string, who: string): ModelSource;
}

const stores: ModelStore[] = [indexedDbStore, downloadsStore, httpStore];

/** Adds a store, consulted before those added earlier. */
export function registerModelStore(store: ModelStore): void {
  stores.unshift(store);
}

/** A location with a scheme, like 'indexeddb://name'; any other string is a file path. */
export const hasScheme = (location: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(location);

/** The store for `location`, or a ConfigError from `who` saying what would take it. */
export function storeFor(location: unknown, who: string): ModelStore {
  if (typeof location !== 'string' || location === '') {
    throw new ConfigError(`${who}: expected a directory path, 'indexeddb://name', 'downloads://name' or a model.json URL, got ${describeValue(location)}`);
  }
  const store = stores.find((s) => s.accepts(location));
  if (store !== undefined) return store;
  if (!hasScheme(location)) {
    throw new ConfigError(`${who}: ${describeValue(location)} is a file path, which needs Node's file system (the root entry under Node, or semiflow/node); in a page use 'indexeddb://name', 'downloads://name' or a URL`);
  }
  throw new ConfigError(`${who}: no model store takes ${describeValue(location)}; known: ${stores.map((s) => s.name).join(', ')}`);
}

/** model.save(location): a directory, 'indexeddb://name' or 'downloads://name'. */
export async function saveModelTo(model: Model, location: string, options: SaveOptions = {}): Promise<void> {
  return storeFor(location, `${model.name}.save`).save(model, location, options);
}

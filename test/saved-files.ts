import { readdirSync } from 'node:fs';

/**
 * The files of a saved model's directory, sorted, without the marker of its released lock (.semiflow.unlocked.<n>,
 * see models/serialization/dir-lock.ts). Throws if a lock is still held or more than one marker is left.
 */
export function savedFiles(dir: string): string[] {
  const names = readdirSync(dir).sort();
  const markers = names.filter((n) => /^\.semiflow\.unlocked\.\d+$/.test(n));
  const held = names.filter((n) => /^\.semiflow\.(lock|claim)\./.test(n));
  if (markers.length > 1 || held.length > 0) throw new Error(`${dir}: expected at most one released lock marker, got ${[...markers, ...held].join(', ')}`);
  return names.filter((n) => !markers.includes(n));
}

import type { Rng } from '../core/random.ts';

/**
 * tf.data's buffered shuffle: the first bufferSize elements fill a buffer; then each new element takes the place of
 * one drawn at random, which goes out; at the end the buffer drains in random order (swap with the last, pop).
 */
export async function* shuffled<T>(source: AsyncIterable<T>, bufferSize: number, rng: Rng): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const element of source) {
    if (buffer.length < bufferSize) {
      buffer.push(element);
      continue;
    }
    const i = rng.int(bufferSize);
    const out = buffer[i];
    buffer[i] = element;
    yield out;
  }
  while (buffer.length > 0) {
    const i = rng.int(buffer.length);
    const out = buffer[i];
    buffer[i] = buffer[buffer.length - 1];
    buffer.pop();
    yield out;
  }
}

/**
 * The source's elements in order, with up to `ahead` more requested before the consumer asks: while it works on
 * one element, the reads behind the next ones (a file's next chunk) are already under way.
 */
export async function* prefetched<T>(source: AsyncIterable<T>, ahead: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  const request = (): void => {
    const next = iterator.next();
    // A request that fails while queued is rethrown when its turn comes; until then it must not count as unhandled.
    next.catch(() => undefined);
    queue.push(next);
  };
  let finished = false;
  try {
    for (;;) {
      while (queue.length <= ahead) request();
      const result = await (queue.shift() as Promise<IteratorResult<T>>);
      if (result.done === true) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Stopped early (take, break, an error): let the source close its files.
    if (!finished) await iterator.return?.();
  }
}

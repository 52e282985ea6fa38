/** Timed calls kept per shape and way (on one thread, split over the pool). */
const SAMPLES = 3;

/** Once both ways have their samples, every PROBE_EVERY-th call of a shape runs the slower way again. */
const PROBE_EVERY = 16;

/** Shapes remembered at most; past that the record starts afresh (a model runs a few dozen). */
const MAX_SHAPES = 512;

interface ShapeRecord {
  calls: number;
  /** Recent milliseconds per call: [on one thread, split]. */
  readonly times: [number[], number[]];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Per product shape, whether splitting it over the worker threads pays, learnt from its own calls: the first
 * calls alternate the two ways (split first), then the faster by the median of its last SAMPLES calls runs,
 * and every PROBE_EVERY-th call tries the other way again, so the choice follows the machine's load (another
 * process on the cores makes a split wait for a descheduled worker). Either way gives the same bits.
 */
export class ThreadChoice {
  private readonly shapes = new Map<string, ShapeRecord>();

  /** True when the next call of the shape `key` should be split over the threads. */
  split(key: string): boolean {
    const record = this.record(key);
    const [one, split] = record.times;
    if (one.length < SAMPLES || split.length < SAMPLES) return split.length <= one.length;
    record.calls++;
    const faster = median(split) < median(one);
    return record.calls % PROBE_EVERY === 0 ? !faster : faster;
  }

  /** Records how long a call of `key` took, split or not. */
  took(key: string, split: boolean, ms: number): void {
    const times = this.record(key).times[split ? 1 : 0];
    times.push(ms);
    if (times.length > SAMPLES) times.shift();
  }

  private record(key: string): ShapeRecord {
    let record = this.shapes.get(key);
    if (record === undefined) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      record = { calls: 0, times: [[], []] };
      this.shapes.set(key, record);
    }
    return record;
  }
}

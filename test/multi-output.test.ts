// Layers with several outputs (LSTM's returnState is one): apply on symbolic tensors gives the list, the functional
// graph routes each output by its index (also through save and load), and a Sequential refuses such a layer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, Dense, Functional, Layer, Sequential, add, checkLayerGrad, input, loadModel, matmul, model, randomNormal, tanh } from 'semiflow';
import type { CallOptions, LayerOptions, Shape, SymbolicTensor, Tensor, Weight } from 'semiflow';
import { thrown } from './thrown.ts';

const root = mkdtempSync(join(tmpdir(), 'semiflow-multi-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Two heads of one input: tanh(x·A) and x·B, a layer whose call returns a list. */
class TwoHeads extends Layer<Tensor[]> {
  readonly units: number;
  private a!: Weight;
  private b!: Weight;

  constructor(config: LayerOptions & { units: number }) {
    super(config);
    this.units = config.units;
  }

  protected override build(shape: Shape): void {
    this.a = this.addWeight('a', [shape[1], this.units]);
    this.b = this.addWeight('b', [shape[1], this.units + 1]);
  }

  protected call(x: Tensor, _options: CallOptions): Tensor[] {
    return [tanh(matmul(x, this.a.value)), matmul(x, this.b.value)];
  }

  static fromConfig(config: Record<string, unknown>): TwoHeads {
    return new TwoHeads({ name: config.name as string, units: config.units as number });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units };
  }
}

function headsModel(seed: number) {
  const x = input({ shape: [3], name: 'x' });
  const heads = new TwoHeads({ units: 2, name: 'heads' });
  const [h, g] = heads.apply(x);
  const first = new Dense(1, { name: 'first' }).apply(h);
  const second = new Dense(1, { name: 'second' }).apply(g);
  return { m: model({ inputs: x, outputs: [first, second], seed }), heads };
}

describe('a layer with several outputs', () => {
  it('gives a list on a real tensor and on a symbolic one, with each output its own shape', () => {
    const heads = new TwoHeads({ units: 2 });
    const real = heads.apply(randomNormal([4, 3], { seed: 1 }));
    expect(real.map((t) => t.shape)).toEqual([[4, 2], [4, 3]]);
    const symbolic: SymbolicTensor[] = new TwoHeads({ units: 2 }).apply(input({ shape: [3] }));
    expect(symbolic.map((t) => [t.shape, t.index])).toEqual([[[2], 0], [[3], 1]]);
  });

  it('routes each output to its consumer in a functional model: predict is the layers applied by hand', () => {
    const { m, heads } = headsModel(3);
    const x = randomNormal([5, 3], { seed: 2 });
    const [y1, y2] = m.predict(x) as Tensor[];
    const [h, g] = heads.apply(x);
    const first = m.layers.find((l) => l.name === 'first') as Dense;
    const second = m.layers.find((l) => l.name === 'second') as Dense;
    expect(Array.from(y1.storage)).toEqual(Array.from(first.apply(h).storage));
    expect(Array.from(y2.storage)).toEqual(Array.from(second.apply(g).storage));
    expect(m.summary(null)).toMatch(/heads \(TwoHeads\)\s*│ \[\(None, 2\), \(None, 3\)\]/);
  });

  it('trains through both outputs, and saves and loads with the tensor index of each reference', async () => {
    const { m } = headsModel(4);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = randomNormal([32, 3], { seed: 5 });
    const y1 = randomNormal([32, 1], { seed: 6 });
    const y2 = add(y1, randomNormal([32, 1], { seed: 7 }));
    const before = m.evaluate(x, [y1, y2]).loss;
    await m.fit(x, [y1, y2], { epochs: 20, batchSize: 8, verbose: 0 });
    expect(m.evaluate(x, [y1, y2]).loss).toBeLessThan(before);
    const dir = join(root, 'heads');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const second = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'second');
    expect(second.inbound_nodes).toEqual([[['heads', 0, 1, {}]]]);
    const again = await loadModel<Functional>(dir, { customLayers: { TwoHeads } });
    expect(again).toBeInstanceOf(Functional);
    const [a1, a2] = again.predict(x) as Tensor[];
    const [b1, b2] = m.predict(x) as Tensor[];
    expect(Array.from(a1.storage)).toEqual(Array.from(b1.storage));
    expect(Array.from(a2.storage)).toEqual(Array.from(b2.storage));
  });

  it('has its gradient checked over every output at once', () => {
    const result = checkLayerGrad(new TwoHeads({ units: 2 }), randomNormal([3, 4], { seed: 8, dtype: 'float64' }));
    expect(result.ok, result.message).toBe(true);
    expect(result.inputs.map((r) => r.path)).toEqual(['x.input', 'x.params.a', 'x.params.b']);
  });

  it('is refused by a Sequential, naming the layer and the way out', () => {
    const seq = new Sequential();
    const error = thrown(() => seq.add(new TwoHeads({ units: 2, name: 'heads_seq', inputShape: [3] })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/heads_seq gives 2 outputs.*functional model/);
    expect(seq.layers).toHaveLength(0);
  });
});

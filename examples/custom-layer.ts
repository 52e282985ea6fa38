// A layer none of the built-ins covers, written by composing ops: no backward code anywhere.
// Highway: y = g ⊙ tanh(x·Wh + bh) + (1 − g) ⊙ x with the gate g = sigmoid(x·Wg + bg).
// Its gradient is checked numerically, then it trains on MNIST between two Dense layers.
// Run: npx tsx examples/custom-layer.ts --epochs 2 --batch-size 128
import { Dense, Flatten, Layer, Sequential, add, assertLayerGrad, initializers, matmul, mul, randomNormal, sigmoid, sub, tanh } from 'semiflow';
import { loadMnist } from 'semiflow/node';
import type { Shape, Tensor, Weight } from 'semiflow';
import { exampleArgs } from './cli.ts';

class Highway extends Layer {
  private transformKernel!: Weight;
  private transformBias!: Weight;
  private gateKernel!: Weight;
  private gateBias!: Weight;

  protected override build(inputShape: Shape): void {
    const features = inputShape[inputShape.length - 1];
    this.transformKernel = this.addWeight('transformKernel', [features, features]);
    this.transformBias = this.addWeight('transformBias', [features], 'zeros');
    this.gateKernel = this.addWeight('gateKernel', [features, features]);
    // A negative gate bias starts the layer close to the identity, which is what makes deep highway stacks train.
    this.gateBias = this.addWeight('gateBias', [features], initializers.constant({ value: -1 }));
  }

  protected call(x: Tensor): Tensor {
    const transformed = tanh(add(matmul(x, this.transformKernel.value), this.transformBias.value));
    const gate = sigmoid(add(matmul(x, this.gateKernel.value), this.gateBias.value));
    return add(mul(gate, transformed), mul(sub(1, gate), x));
  }
}

// 1. The tape's gradient of the layer, for its input and all four weights, against central differences in float64.
assertLayerGrad(new Highway(), randomNormal([3, 5], { seed: 1, dtype: 'float64' }));
console.log('Highway gradient check passed (input and 4 weights, float64)');

// 2. Train it on MNIST.
const { epochs, batchSize, seed } = exampleArgs({ epochs: 2, batchSize: 128, seed: 7 });
const { train, test } = loadMnist();
const model = new Sequential({ seed });
model.add(new Flatten({ inputShape: [28, 28, 1] }));
model.add(new Dense(128, { activation: 'relu' }));
model.add(new Highway());
model.add(new Dense(10, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();
const started = performance.now();
await model.fit(train.images, train.oneHot, { epochs, batchSize });
console.log(`trained ${epochs} epoch${epochs > 1 ? 's' : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const { accuracy } = model.evaluate(test.images, test.oneHot, { batchSize: 1000 });
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);

// The adding problem over 100 steps (examples/adding-problem.ts): a GRU(32) reads the [value, marker] pairs and a
// Dense(1) gives the sum of the two marked values. Always answering 1 scores MSE ≈ 0.167; the target is < 0.01.
// Adam at 1e-2: the loss sits near 0.167 for about 300 steps, then falls (an LSTM(32) took longer to leave it).
// Run: npm run sequence-adding   (or: npx tsx -C semiflow-src examples/sequence-adding.ts --epochs 3 --batch-size 64)
import { Dense, GRU, Sequential, adam } from 'semiflow';
import { addingProblem } from './adding-problem.ts';
import { exampleArgs } from './cli.ts';

const STEPS = 100;
const { epochs, batchSize, seed } = exampleArgs({ epochs: 3, batchSize: 64, seed: 7 });
const train = addingProblem(10_000, STEPS, 1);
const test = addingProblem(1_000, STEPS, 2);

const model = new Sequential({ seed });
model.add(new GRU(32, { inputShape: [STEPS, 2] }));
model.add(new Dense(1));
model.compile({ optimizer: adam({ learningRate: 1e-2 }), loss: 'meanSquaredError' });
model.summary();

const started = performance.now();
await model.fit(train.x, train.y, { epochs, batchSize, validationData: [test.x, test.y] });
const seconds = (performance.now() - started) / 1000;

const target = Array.from(test.y.storage);
const guessOne = target.reduce((s, v) => s + (v - 1) ** 2, 0) / target.length;
const { loss } = model.evaluate(test.x, test.y, { batchSize: 1000 });
console.log(`trained ${epochs} epochs in ${seconds.toFixed(1)} s`);
console.log(`test MSE: ${loss.toFixed(4)} (always answering 1: ${guessOne.toFixed(4)})`);

// A user's script in plain JavaScript (ES modules): trains a tiny model, saves and reloads it, checks a gradient.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential, adam, backendInfo, loadModel, tensor } from 'semiflow';
import { checkGrad } from 'semiflow/testing';

// y = 1 when x0 + x1 > 1: 64 points on a grid.
const xs = [];
const ys = [];
for (let i = 0; i < 64; i++) {
  const a = (i % 8) / 7;
  const b = Math.floor(i / 8) / 7;
  xs.push([a, b]);
  ys.push([a + b > 1 ? 1 : 0]);
}
const x = tensor(xs);
const y = tensor(ys);

const model = new Sequential({ seed: 7 });
model.add(new Dense(8, { inputShape: [2], activation: 'tanh' }));
model.add(new Dense(1, { activation: 'sigmoid' }));
model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const history = await model.fit(x, y, { epochs: 60, batchSize: 16, verbose: 0 });
const losses = history.history.loss;

const dir = mkdtempSync(join(tmpdir(), 'semiflow-user-'));
await model.save(dir);
const loaded = await loadModel(dir);
rmSync(dir, { recursive: true, force: true });
const before = model.predict(x).toArray();
const after = loaded.predict(x).toArray();

const check = checkGrad((t) => t.mul(t).sum(), tensor([1, 2, 3], [3], 'float64'));
console.log(JSON.stringify({
  first: losses[0], last: losses[losses.length - 1], accuracy: model.evaluate(x, y).accuracy,
  sameAfterLoad: JSON.stringify(before) === JSON.stringify(after), gradOk: check.ok, backend: backendInfo(),
}));

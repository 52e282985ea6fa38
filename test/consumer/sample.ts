// A TypeScript user's code against the package's declarations (the root and semiflow/testing need no @types/node).
import { Conv2D, Dense, Flatten, Sequential, backendInfo, grad, loadModel, tensor } from 'semiflow';
import type { BackendInfo, History, Tensor } from 'semiflow';
import { arbTensor, checkGrad } from 'semiflow/testing';
import type { GradCheckResult } from 'semiflow/testing';

export async function run(): Promise<number> {
  const model = new Sequential({ seed: 1 });
  model.add(new Conv2D(4, 3, { inputShape: [8, 8, 1], activation: 'relu' }));
  model.add(new Flatten());
  model.add(new Dense(2, { activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x: Tensor = tensor(new Float32Array(2 * 64), [2, 8, 8, 1]);
  const history: History = await model.fit(x, tensor([[1, 0], [0, 1]]), { epochs: 1, verbose: 0 });
  const g = grad((t: Tensor) => t.mul(t).sum())(tensor([1, 2]));
  const check: GradCheckResult = checkGrad((t: Tensor) => t.exp().sum(), tensor([0.5], [1], 'float64'));
  const info: BackendInfo = backendInfo();
  await model.save('indexeddb://sample');
  const loaded: Sequential = await loadModel('indexeddb://sample');
  void arbTensor;
  return history.history.loss[0] + g.size + Number(check.ok) + info.threads + loaded.layers.length;
}

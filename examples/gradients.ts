// Define a function of tensors, take its gradient with the tape, and check that gradient numerically.
// Run: npx tsx examples/gradients.ts
import { grad, randomNormal, tensor } from 'semiflow';
import { checkGrad } from 'semiflow/testing';
import type { Tensor } from 'semiflow';

const x = randomNormal([4, 3], { seed: 0 });
const y = tensor([[1], [0], [1], [0]]);

// A logistic-regression loss over a tree of parameters.
type Params = { w: Tensor; b: Tensor };
const loss = ({ w, b }: Params): Tensor => x.matmul(w).add(b).softplus().sub(y.mul(x.matmul(w).add(b))).mean();

const params: Params = { w: randomNormal([3, 1], { seed: 1 }), b: tensor([0]) };
const g = grad(loss)(params);
console.log('dL/dw =', g.w.toArray(), 'dL/db =', g.b.toArray());

const check = checkGrad(loss, params);
console.log(check.message);

// Second derivatives come from the same tape: d²/dx² tanh(x) = -2·tanh(x)·(1 - tanh²(x)).
const d2tanh = grad((t: Tensor) => grad((u: Tensor) => u.tanh().sum())(t).sum());
console.log('tanh″(0.5) =', d2tanh(tensor([0.5], undefined, 'float64')).item(), 'by hand:', -2 * Math.tanh(0.5) * (1 - Math.tanh(0.5) ** 2));
if (!check.ok) process.exit(1);

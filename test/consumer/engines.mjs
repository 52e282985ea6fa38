// Run by node, bun and deno alike: a 64-256-1 MLP whose products are large enough for the GEMM threads.
import { Dense, Sequential, adam, backendInfo, randomNormal, setSeed } from 'semiflow';
setSeed(11);
const x = randomNormal([512, 64]);
const y = x.slice([0, 0], [512, 1]).greater(0).cast('float32');
const model = new Sequential({ seed: 2 });
model.add(new Dense(256, { inputShape: [64], activation: 'relu' }));
model.add(new Dense(1, { activation: 'sigmoid' }));
model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const started = performance.now();
const history = await model.fit(x, y, { epochs: 5, batchSize: 128, verbose: 0 });
const loss = history.history.loss;
console.log(JSON.stringify({ losses: loss, accuracy: model.evaluate(x, y).accuracy, backend: backendInfo(), ms: Math.round(performance.now() - started) }));

import { Dense, LSTM, Sequential, randomNormal, randomUniform } from 'semiflow';
const B = 128, T = 28, F = 28;
const x = randomNormal([B * 3, T, F], { seed: 1 });
const y = randomUniform([B * 3], { seed: 2 }).mul(10).floor();
const model = new Sequential({ seed: 1 });
model.add(new LSTM(128, { inputShape: [T, F] }));
model.add(new Dense(10, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
await model.fit(x, y, { epochs: 1, batchSize: B, verbose: 0 });
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  await model.fit(x, y, { epochs: 2, batchSize: B, verbose: 0 });
  const fitMs = (performance.now() - t0) / 6;
  const t1 = performance.now();
  model.predict(x, { verbose: 0, batchSize: B });
  console.log(`fit ${fitMs.toFixed(1)} ms/step, predict ${((performance.now() - t1) / 3).toFixed(1)} ms/batch`);
}

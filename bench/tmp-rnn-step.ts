import { Dense, LSTM, Sequential, randomNormal, randomUniform } from 'semiflow';
const B = 128, T = 28, F = 28;
const x = randomNormal([B * 3, T, F], { seed: 1 });
const y = randomUniform([B * 3], { seed: 2 }).mul(10).floor();
const model = new Sequential({ seed: 1 });
model.add(new LSTM(128, { inputShape: [T, F] }));
model.add(new Dense(10, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
await model.fit(x, y, { epochs: 1, batchSize: B, verbose: 0 });
const res: Record<string, number[]> = { '0': [], '1': [] };
for (let r = 0; r < 4; r++) for (const one of ['0', '1']) {
  process.env.ONE = one;
  const t0 = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: B, verbose: 0 });
  res[one].push((performance.now() - t0) / 3);
}
for (const k of ['0', '1']) console.log(`one-projection ${k}: fit ms/step`, res[k].map((v) => v.toFixed(0)).join(' '), 'min', Math.min(...res[k]).toFixed(0));

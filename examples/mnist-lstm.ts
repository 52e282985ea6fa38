// MNIST read row by row (28 steps of 28 pixels) by an LSTM(128), then Dense(10, softmax); Adam 1e-3, batch 128,
// 5 epochs, seeded. The LSTM has Keras's defaults: glorot-uniform kernel, orthogonal recurrent kernel, forget bias 1.
// Run: npm run mnist-lstm   (or: npx tsx -C semiflow-src examples/mnist-lstm.ts --epochs 5 --batch-size 128)
import { LSTM } from 'semiflow';
import { trainOnRows } from './mnist-rows.ts';

await trainOnRows(new LSTM(128, { inputShape: [28, 28] }), 'mnist-lstm');

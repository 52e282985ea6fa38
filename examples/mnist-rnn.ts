// MNIST read row by row (28 steps of 28 pixels) by a SimpleRNN(128) (tanh), then Dense(10, softmax); Adam 1e-3,
// batch 128, 5 epochs, seeded: the simple recurrent layer of semiflow's seed, in a model of its kind.
// Run: npm run mnist-rnn   (or: npx tsx -C semiflow-src examples/mnist-rnn.ts --epochs 5 --batch-size 128)
import { SimpleRNN } from 'semiflow';
import { trainOnRows } from './mnist-rows.ts';

await trainOnRows(new SimpleRNN(128, { inputShape: [28, 28] }), 'mnist-rnn');

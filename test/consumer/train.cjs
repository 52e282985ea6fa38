// The same user in CommonJS: require() of semiflow's ES modules, which Node 20.19+ does.
const { Dense, Sequential, tensor } = require('semiflow');

const model = new Sequential({ seed: 3 });
model.add(new Dense(4, { inputShape: [3], activation: 'relu' }));
model.add(new Dense(1));
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
const x = tensor([[0, 1, 2], [1, 0, 1], [2, 1, 0], [1, 1, 1]]);
const y = tensor([[1], [0], [-1], [0]]);
model.fit(x, y, { epochs: 40, batchSize: 4, verbose: 0 }).then((history) => {
  const losses = history.history.loss;
  console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1] }));
});

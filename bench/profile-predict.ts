// Where CNN or MLP inference goes: `npx tsx -C semiflow-src bench/profile-predict.ts [cnn|mlp]` profiles one predict
// of the 10,000 test images in batches of 1,000 after a warm pass, per primitive and per operand shapes.
import { formatProfile, profile } from 'semiflow';
import { benchData } from './data.ts';
import { buildBenchModel } from './models.ts';
import type { BenchModelName } from './models.ts';

const name = (process.argv[2] ?? 'cnn') as BenchModelName;
const { testX } = benchData(name);
const model = buildBenchModel(name);
model.predict(testX, { batchSize: 1000 });
const started = performance.now();
model.predict(testX, { batchSize: 1000 });
const unprofiled = performance.now() - started;
const { report } = await profile(() => model.predict(testX, { batchSize: 1000 }));
const rate = (ms: number) => Math.round(testX.shape[0] / (ms / 1000));
console.log(`${name}: predict of ${testX.shape[0]} test images in batches of 1,000; ${rate(unprofiled)} samples/s unprofiled, ${rate(report.wallMs)} profiled`);
console.log(formatProfile(report, { title: '\nBy primitive:' }));
console.log(formatProfile(report, { by: 'shape', title: '\nBy primitive and operand shapes:' }));

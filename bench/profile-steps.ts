// `npm run bench -- --profile`: where the time of a training step goes, per primitive and per operand shapes.
import { formatProfile, profile } from 'semiflow';
import type { Tensor } from 'semiflow';
import { benchData } from './data.ts';
import { BATCH_SIZE, buildBenchModel } from './models.ts';
import type { BenchModelName } from './models.ts';

const rowsOf = (x: Tensor, rows: number): Tensor => x.slice([0, ...x.shape.slice(1).map(() => 0)], [rows, ...x.shape.slice(1)]);

/** Profiles `steps` steps of fit (batch 128, no shuffle) after `warmup` unprofiled ones; returns both tables. */
export async function profileSteps(name: BenchModelName, steps: number, warmup: number): Promise<string> {
  const data = benchData(name);
  const model = buildBenchModel(name);
  const fitOn = async ([x, y]: readonly [Tensor, Tensor]): Promise<void> => {
    await model.fit(x, y, { batchSize: BATCH_SIZE, epochs: 1, shuffle: false, verbose: 0 });
  };
  const take = (count: number) => [rowsOf(data.trainX, count * BATCH_SIZE), rowsOf(data.trainY, count * BATCH_SIZE)] as const;
  await fitOn(take(warmup));
  const batches = take(steps);
  const { report } = await profile(() => fitOn(batches));
  const title = `${name}: ${steps} training steps of batch ${BATCH_SIZE} through fit, after ${warmup} warm-up steps; ${(report.wallMs / steps).toFixed(1)} ms/step`;
  return [
    formatProfile(report, { title: `${title}\n\nBy primitive:` }),
    formatProfile(report, { by: 'shape', title: '\nBy primitive and operand shapes (ᵀ: read transposed):' }),
  ].join('\n');
}

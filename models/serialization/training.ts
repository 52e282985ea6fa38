import { ConfigError, ValueError, describeValue, prefixError } from '../../core/errors.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Loss } from '../../layers/losses.ts';
import {
  binaryCrossentropy, categoricalCrossentropy, meanAbsoluteError, meanSquaredError, softmaxCategoricalCrossentropy, sparseCategoricalCrossentropy,
} from '../../layers/losses.ts';
import type { Optimizer, OptimizerState } from '../../optim/index.ts';
import { checkRateOverride } from '../../optim/learning-rate.ts';
import { matchTrees } from '../../optim/match.ts';
import { optimizerFromConfig } from '../../optim/registry.ts';
import type { Compiled, CompileOptions } from '../compile.ts';
import { metricFromSaved, savedMetric } from '../metrics.ts';
import type { MetricSpec } from '../metrics.ts';
import type { ModelParams, OptimizerProgress } from '../model.ts';
import type { TrainingJson } from './format.ts';
import type { JsonObject } from './names.ts';
import { isJsonObject } from './names.ts';
import { decodeTree, encodeTree } from './tree.ts';
import { packTensors } from './weights.ts';

// compile()'s choices and the optimizer's progress, as model.json's semiflow.training plus optimizer.bin.

type LossFactory = (options: Record<string, unknown>) => Loss;
const LOSSES: Readonly<Record<string, LossFactory>> = {
  meanSquaredError, meanAbsoluteError, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, softmaxCategoricalCrossentropy,
};

/** The training section of model.json and the bytes of optimizer.bin. */
export function trainingToJson(compiled: Compiled, progress: OptimizerProgress | undefined, where: string): { json: TrainingJson; bytes: Uint8Array } {
  const { skeleton, tensors } = encodeTree(progress ?? null, `${where}: optimizer progress`);
  const packed = packTensors(tensors);
  return {
    json: {
      optimizer: { name: compiled.optimizer.name, config: { ...compiled.optimizer.config } },
      loss: { name: compiled.loss.name, config: { ...compiled.loss.config } },
      metrics: compiled.metrics.map(savedMetric),
      ...(compiled.outputs.length > 1 || compiled.outputs[0].weight !== 1 ? {
        outputs: compiled.outputs.map((o) => ({
          name: o.name, loss: { name: o.loss.name, config: { ...o.loss.config } }, weight: o.weight, metrics: o.metrics.map(savedMetric),
        })),
      } : {}),
      progress: skeleton,
      tensors: packed.specs,
    },
    bytes: packed.bytes,
  };
}

/** compile() options from the saved names and configs; `optimizer` replaces the saved one (needed for a schedule). */
export function compileOptionsFromJson(json: TrainingJson, optimizer: string | Optimizer | undefined, file: string): CompileOptions {
  const where = `${file}: semiflow.training`;
  if (!isJsonObject(json.optimizer) || typeof json.optimizer.name !== 'string' || !isJsonObject(json.optimizer.config)) {
    throw new ConfigError(`${where}.optimizer must be {name, config}, got ${describeValue(json.optimizer)}`);
  }
  if (!isJsonObject(json.loss) || typeof json.loss.name !== 'string' || !isJsonObject(json.loss.config)) {
    throw new ConfigError(`${where}.loss must be {name, config}, got ${describeValue(json.loss)}`);
  }
  if (!Array.isArray(json.metrics)) throw new ConfigError(`${where}.metrics must be a list, got ${describeValue(json.metrics)}`);
  const chosen = optimizer ?? savedOptimizer(json.optimizer.name, json.optimizer.config, where);
  if (json.outputs === undefined) {
    const metrics = json.metrics.flatMap((m) => metricFromSaved(m, `${where}.metrics`) ?? []);
    return { optimizer: chosen, loss: savedLoss(json.loss.name, json.loss.config, where), metrics };
  }
  return { optimizer: chosen, ...outputsFromJson(json.outputs, `${where}.outputs`) };
}

/** Each output's loss, weight and metrics, by output name. */
function outputsFromJson(outputs: unknown, where: string): Pick<CompileOptions, 'loss' | 'lossWeights' | 'metrics'> {
  if (!Array.isArray(outputs) || outputs.length === 0) throw new ConfigError(`${where} must list the outputs, got ${describeValue(outputs)}`);
  const loss: Record<string, Loss> = {};
  const lossWeights: Record<string, number> = {};
  const metrics: Record<string, MetricSpec[]> = {};
  outputs.forEach((o: unknown, i) => {
    const at = `${where}[${i}]`;
    const { name, loss: l, weight, metrics: m } = (isJsonObject(o as JsonObject) ? o : {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !isJsonObject(l as JsonObject) || typeof weight !== 'number' || !Array.isArray(m)) {
      throw new ConfigError(`${at} must be {name, loss: {name, config}, weight, metrics}, got ${describeValue(o)}`);
    }
    const { name: lossName, config } = l as Record<string, unknown>;
    if (typeof lossName !== 'string' || !isJsonObject(config as JsonObject)) throw new ConfigError(`${at}.loss must be {name, config}, got ${describeValue(l)}`);
    loss[name] = savedLoss(lossName, config as JsonObject, at);
    lossWeights[name] = weight;
    metrics[name] = m.flatMap((x) => metricFromSaved(x, `${at}.metrics`) ?? []);
  });
  return { loss, lossWeights, metrics };
}

function savedOptimizer(name: string, config: JsonObject, where: string): Optimizer {
  if (typeof config.learningRate !== 'number') {
    throw new ConfigError(
      `${where}: the optimizer ${name} was saved with the learning rate ${describeValue(config.learningRate)} (a schedule function cannot be stored); `
      + `pass it again: loadModel(dir, { optimizer: ${name}({ learningRate: schedule, ... }) })`,
    );
  }
  try {
    return optimizerFromConfig(name, config, `${where}.optimizer`);
  } catch (error) {
    throw prefixError(error, `${where}.optimizer`);
  }
}

function savedLoss(name: string, config: JsonObject, where: string): Loss {
  const factory = Object.hasOwn(LOSSES, name) ? LOSSES[name] : undefined;
  if (factory === undefined) throw new ConfigError(`${where}: the loss '${name}' is not a built-in loss, so it cannot be rebuilt (built-ins: ${Object.keys(LOSSES).join(', ')})`);
  try {
    return factory({ ...config });
  } catch (error) {
    throw prefixError(error, `${where}.loss`);
  }
}

/**
 * The saved progress, checked against the model: the state's slots must be the optimizer's and fit the trainable
 * parameters leaf by leaf, so that nothing fails on the first fit() step.
 */
export function progressFromJson(json: TrainingJson, tensors: readonly Tensor[], optimizer: Optimizer, params: ModelParams, file: string): OptimizerProgress | undefined {
  const where = `${file}: semiflow.training.progress`;
  const tree = decodeTree(json.progress, tensors, where);
  if (tree === null) return undefined;
  const { state, step, learningRate = null } = tree as { state?: unknown; step?: unknown; learningRate?: unknown };
  const isStep = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!isStep(step)) throw new ValueError(`${where}.step must be a non-negative integer, got ${describeValue(step)}`);
  if (learningRate !== null) checkRateOverride(`${where}.learningRate`, learningRate);
  const { slots } = (state ?? {}) as Partial<OptimizerState>;
  if (!isStep((state as Partial<OptimizerState> | undefined)?.step) || slots === null || typeof slots !== 'object') {
    throw new ValueError(`${where}.state must be {step, slots} with a non-negative integer step, got ${describeValue(state)}`);
  }
  const expected = Object.keys(optimizer.init(params).slots);
  const saved = Object.keys(slots);
  if (saved.length !== expected.length || !expected.every((s) => saved.includes(s))) {
    throw new ConfigError(`${where}: the saved state has slots {${saved.join(', ')}} but ${optimizer.name} uses {${expected.join(', ')}}`);
  }
  try {
    for (const slot of expected) matchTrees(optimizer.name, params, slots[slot], `slots.${slot}`);
  } catch (error) {
    throw prefixError(error, where);
  }
  return tree as OptimizerProgress;
}

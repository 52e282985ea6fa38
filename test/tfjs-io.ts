// Files between semiflow and @tensorflow/tfjs in tests: pure tfjs in Node has no file:// handler, so model
// directories go through IOHandlers laid out like tfjs-node's (model.json plus one weights.bin).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { randomNormal } from 'semiflow';
import type { Model, Sequential, Tensor } from 'semiflow';

/** tf.io.IOHandler reading dir/model.json and the files of its weights manifest. */
export function readHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const chunks = manifest.flatMap((group) => group.paths).map((p) => new Uint8Array(readFileSync(join(dir, p))));
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let offset = 0;
        for (const c of chunks) {
          bytes.set(c, offset);
          offset += c.length;
        }
        return [specs, bytes.buffer];
      });
    },
  };
}

/** Saves a tfjs model as tfjs-node's file handler lays it out: model.json plus one weights.bin. */
export async function saveFromTfjs(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData as ArrayBuffer | ArrayBuffer[];
    const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weights));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy, weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/** Every weight replaced by a seeded normal draw, so that biases are not all zero and order mistakes show. */
export function randomizeWeights(model: Model, seed: number): void {
  model.setWeights(model.getWeights().map((w, i) => randomNormal(w.shape, { seed: seed + i, stddev: 0.5 })));
}

export function maxAbsDiff(ours: Tensor, theirs: tf.Tensor): number {
  expect(theirs.shape).toEqual(ours.shape);
  const values = theirs.dataSync();
  return Math.max(...Array.from(ours.storage, (v, i) => Math.abs(v - values[i])));
}


/** tfjs read the same layers as ours (names, classes, output shapes) and the same weights (tfjs names, shapes). */
export function expectSameLayers(theirs: tf.LayersModel, model: Sequential): void {
  const ourLayers = model.layers.slice(1);
  expect(theirs.layers.map((l) => [l.name, l.getClassName(), l.outputShape])).toEqual(
    ourLayers.map((l) => [l.name, l.constructor.name, [null, ...(model.outputShapeOf(l) as number[])]]));
  expect(theirs.layers.flatMap((l) => l.weights).map((w) => [w.originalName, w.shape])).toEqual(
    ourLayers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, [...w.shape]])));
}

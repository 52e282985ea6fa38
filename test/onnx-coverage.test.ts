import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as semiflow from 'semiflow';
import { ConfigError, InputLayer, Layer, MergeLayer, Recurrent } from 'semiflow';
import { exporterFor } from '../onnx/exporters.ts';

// Issue 18's bar: every built-in layer exports, or is listed as not exportable with the reason. A layer class added
// to the root without an exporter, or without a row in the README's ONNX section, fails here.

type LayerClass = abstract new (...args: never[]) => semiflow.Layer;
const notLayers = new Set<unknown>([InputLayer, MergeLayer, Recurrent]); // a graph input and two abstract bases
const isLayerClass = (value: unknown): value is LayerClass =>
  typeof value === 'function' && value.prototype instanceof Layer && !notLayers.has(value);
const layerClasses = Object.entries(semiflow as Record<string, unknown>)
  .flatMap(([name, value]) => (isLayerClass(value) ? [[name, value] as const] : []));

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const onnxSection = readme.slice(readme.indexOf('## ONNX'), readme.indexOf('\n## ', readme.indexOf('## ONNX') + 1));

describe('every built-in layer class and ONNX', () => {
  it('finds the layer classes of the root entry', () => {
    expect(layerClasses.length).toBeGreaterThan(30);
  });

  it.each(layerClasses)('%s has an exporter, or a refusal that gives the reason', (name, cls) => {
    const instance = Object.assign(Object.create(cls.prototype) as semiflow.Layer, { name: 'probe' });
    let refusal: unknown;
    try {
      expect(exporterFor(instance)).toBeTypeOf('function');
    } catch (error) {
      refusal = error;
    }
    if (refusal !== undefined) {
      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as Error).message).toMatch(/cannot be exported[^:]*: ONNX's recurrent ops take no mask/);
    }
  });

  it.each(layerClasses)("%s is named in the README's ONNX section", (name) => {
    expect(onnxSection).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

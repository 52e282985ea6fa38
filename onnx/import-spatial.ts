import type { NodeProto } from 'onnx-buf';
import { ConfigError } from '../core/errors.ts';
import { Cropping2D } from '../layers/cropping2d.ts';
import { PReLU } from '../layers/prelu.ts';
import { RepeatVector } from '../layers/repeat-vector.ts';
import { UpSampling2D } from '../layers/up-sampling2d.ts';
import type { Importer } from './importer.ts';
import type { OnnxConstant } from './read-model.ts';

// The image-geometry ops back into layers: Slice of an image's height and width (Cropping2D), Resize at integer
// nearest scales (UpSampling2D), PRelu, and Unsqueeze then Tile (RepeatVector).

const values = (imp: Importer, node: NodeProto, i: number): number[] => Array.from(imp.constant(node.input[i], node).data);

/** A Slice with steps 1 over an NCHW image's axes 2 and 3 (a channels-last image's 1 and 2). */
export function importSlice(node: NodeProto, imp: Importer): void {
  const x = imp.value(node.input[0], node);
  const [starts, ends, axes] = [1, 2, 3].map((i) => values(imp, node, i));
  const steps = Array.from(imp.optionalConstant(node, 4)?.data ?? [1, 1]);
  const spatial = x.permuted === true ? '2,3' : '1,2';
  const [height, width] = x.sym.shape;
  if (axes.join() !== spatial || x.sym.shape.length !== 3 || steps.some((s) => s !== 1) || starts.some((s) => s < 0)) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Slice) is imported only as a crop of an image's height and width (toOnnx's Cropping2D)`);
  }
  const [bottom, right] = [height - Math.min(ends[0], height), width - Math.min(ends[1], width)];
  imp.values.set(node.output[0], { sym: imp.apply(new Cropping2D([[starts[0], bottom], [starts[1], right]]), x.sym), permuted: x.permuted });
}

/** Resize of an NCHW image by integer scales [1, 1, sh, sw], nearest neighbour read as asymmetric floor. */
export function importResize(node: NodeProto, imp: Importer): void {
  const scales = values(imp, node, 2);
  const text = (name: string, fallback: string): string => {
    const a = node.attribute.find((x) => x.name === name);
    return a === undefined ? fallback : new TextDecoder().decode(a.s);
  };
  const nearest = text('mode', 'nearest') === 'nearest' && text('coordinate_transformation_mode', 'half_pixel') === 'asymmetric' && text('nearest_mode', 'round_prefer_floor') === 'floor';
  if (!nearest || scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1 || !scales.every((s) => Number.isInteger(s))) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Resize) is imported only as nearest upsampling by integer scales (asymmetric, floor)`);
  }
  const x = imp.value(node.input[0], node);
  imp.values.set(node.output[0], { sym: imp.apply(new UpSampling2D([scales[2], scales[3]]), imp.channelsLast(x)), permuted: true });
}

/** PRelu with a constant slope of the sample's shape (1 on the axes it is shared over). */
export function importPRelu(node: NodeProto, imp: Importer): void {
  const x = imp.literal(imp.value(node.input[0], node));
  const slope = imp.constant(node.input[1], node);
  const dims = slope.dims.length === x.shape.length ? slope.dims : [...Array<number>(x.shape.length - slope.dims.length).fill(1), ...slope.dims];
  const shared = dims.flatMap((d, i) => (d === 1 && x.shape[i] !== 1 ? [i + 1] : []));
  const alpha: OnnxConstant = { data: slope.data, dims };
  imp.values.set(node.output[0], { sym: imp.apply(new PReLU(shared.length > 0 ? { sharedAxes: shared } : {}), x, { alpha }) });
}

/** Unsqueeze at axis 1 of [batch, f] followed by Tile [1, n, 1]: RepeatVector(n). */
export function importUnsqueeze(node: NodeProto, imp: Importer): void {
  const x = imp.literal(imp.value(node.input[0], node));
  const tile = imp.soleConsumer(node.output[0]);
  const repeats = tile?.opType === 'Tile' ? values(imp, tile, 1) : [];
  if (tile === undefined || x.shape.length !== 1 || values(imp, node, 1).join() !== '1' || repeats.length !== 3 || repeats[0] !== 1 || repeats[2] !== 1) {
    throw new ConfigError(`loadOnnx: node ${node.name} (Unsqueeze) is imported only before a Tile, as toOnnx writes RepeatVector`);
  }
  imp.absorbed.add(tile);
  imp.values.set(tile.output[0], { sym: imp.apply(new RepeatVector(repeats[1]), x) });
}

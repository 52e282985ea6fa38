import { arange } from '../creation.ts';
import { ShapeError, ValueError, describeValue, fmtShape } from '../errors.ts';
import { sizeOf } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { mul } from './arithmetic.ts';
import { expectTensor } from './broadcast.ts';
import { gather } from './gather.ts';
import { matmul } from './matmul.ts';
import { permute, reshape } from './movement.ts';
import { sum } from './reduce.ts';

/** A tensor whose axes are named by letters, one letter per axis. */
interface Labeled {
  t: Tensor;
  letters: string[];
}

/**
 * Einstein summation: 'ij,jk->ik' (matmul), 'bij,bjk->bik' (batch matmul), 'i,j->ij' (outer product), 'ij->ji',
 * 'ii->i' (diagonal), 'ii->' (trace), 'ij->j' (sums), any number of operands. Each operand gets one letter
 * (a-z, A-Z) per axis; a letter's axes must have one size; letters left out of the output are summed over.
 * Without '->' the output is the letters used exactly once, in alphabetical order. '...' is not supported.
 * A composite: diagonals by gather, sums, then one (batched) matmul per pair of operands, left to right.
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  const { inputs, output } = parse(equation, operands);
  const sizes = letterSizes(equation, inputs, operands);
  const labeled = operands.map((t, i) => diagonals({ t, letters: inputs[i] }, sizes));
  const neededAfter = (k: number) => new Set([...output, ...inputs.slice(k + 1).flat()]);
  let result = sumOut(labeled[0], neededAfter(0), []);
  for (let k = 1; k < labeled.length; k++) result = contract(result, labeled[k], neededAfter(k));
  return permute(result.t, output.map((c) => result.letters.indexOf(c)));
}

function parse(equation: string, operands: readonly Tensor[]): { inputs: string[][]; output: string[] } {
  const fail = (why: string): never => {
    throw new ValueError(`einsum: ${why} in equation ${JSON.stringify(equation)} (expected subscripts like 'ij,jk->ik')`);
  };
  if (typeof equation !== 'string') throw new ValueError(`einsum: the equation must be a string like 'ij,jk->ik', got ${describeValue(equation)}`);
  operands.forEach((t, i) => expectTensor(t, 'einsum', `operand ${i}`));
  const compact = equation.replace(/\s+/g, '');
  if (compact.includes('...')) fail("'...' is not supported");
  const sides = compact.split('->');
  if (sides.length > 2) fail("more than one '->'");
  const inputs = sides[0].split(',').map((s) => [...s]);
  if (inputs.length !== operands.length) fail(`${inputs.length} operand subscript(s) for ${operands.length} tensor(s)`);
  const bad = [...sides.join('')].find((c) => !/[a-zA-Z,]/.test(c)) ?? (sides[1]?.includes(',') ? ',' : undefined);
  if (bad !== undefined) fail(`'${bad}' is not a subscript letter`);
  const all = inputs.flat();
  const output = sides.length === 2 ? [...sides[1]] : [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c)).sort();
  const repeated = output.find((c, i) => output.indexOf(c) !== i);
  if (repeated !== undefined) fail(`output letter '${repeated}' appears twice`);
  const unknown = output.find((c) => !all.includes(c));
  if (unknown !== undefined) fail(`output letter '${unknown}' is in no operand`);
  return { inputs, output };
}

/** Each letter's size, checked against every axis it names. */
function letterSizes(equation: string, inputs: readonly string[][], operands: readonly Tensor[]): Map<string, number> {
  const sizes = new Map<string, number>();
  inputs.forEach((letters, i) => {
    const { shape } = operands[i];
    if (letters.length !== shape.length) {
      throw new ShapeError(`einsum: operand ${i} has shape ${fmtShape(shape)} (rank ${shape.length}) but subscripts '${letters.join('')}' name ${letters.length} axes in ${JSON.stringify(equation)}`);
    }
    letters.forEach((c, axis) => {
      const seen = sizes.get(c);
      if (seen !== undefined && seen !== shape[axis]) {
        throw new ShapeError(`einsum: letter '${c}' names axes of sizes ${seen} and ${shape[axis]} (operand ${i} has shape ${fmtShape(shape)}) in ${JSON.stringify(equation)}`);
      }
      sizes.set(c, shape[axis]);
    });
  });
  return sizes;
}

/** A letter repeated within one operand keeps only the diagonal: the two axes move last, flatten, and gather i·(d + 1). */
function diagonals(x: Labeled, sizes: ReadonlyMap<string, number>): Labeled {
  const { letters } = x;
  const p = letters.findIndex((c, i) => letters.indexOf(c) !== i);
  if (p < 0) return x;
  const c = letters[p];
  const first = letters.indexOf(c);
  const others = letters.flatMap((_, i) => (i === first || i === p ? [] : [i]));
  const d = sizes.get(c) as number;
  const moved = permute(x.t, [...others, first, p]);
  const flat = reshape(moved, [...others.map((i) => x.t.shape[i]), d * d]);
  const diagonal = gather(flat, mul(arange(d, undefined, 1, 'float64'), d + 1), others.length);
  return diagonals({ t: diagonal, letters: [...others.map((i) => letters[i]), c] }, sizes);
}

/** Sums over the letters that are neither needed later nor shared with `partner`. */
function sumOut(x: Labeled, needed: ReadonlySet<string>, partner: readonly string[]): Labeled {
  const drop = x.letters.flatMap((c, i) => (needed.has(c) || partner.includes(c) ? [] : [i]));
  if (drop.length === 0) return x;
  return { t: sum(x.t, drop), letters: x.letters.filter((_, i) => !drop.includes(i)) };
}

/** a·b over their shared letters: shared needed letters are a batch, shared others are summed, by one matmul. */
function contract(left: Labeled, right: Labeled, needed: ReadonlySet<string>): Labeled {
  const a = sumOut(left, needed, right.letters);
  const b = sumOut(right, needed, a.letters);
  const batch = a.letters.filter((c) => b.letters.includes(c) && needed.has(c));
  const summed = a.letters.filter((c) => b.letters.includes(c) && !needed.has(c));
  const aFree = a.letters.filter((c) => !b.letters.includes(c));
  const bFree = b.letters.filter((c) => !a.letters.includes(c));
  const dims = (x: Labeled, cs: readonly string[]) => cs.map((c) => x.t.shape[x.letters.indexOf(c)]);
  const arrange = (x: Labeled, groups: readonly (readonly string[])[]) =>
    reshape(permute(x.t, groups.flat().map((c) => x.letters.indexOf(c))), groups.map((g) => sizeOf(dims(x, g))));
  const product = matmul(arrange(a, [batch, aFree, summed]), arrange(b, [batch, summed, bFree]));
  return { t: reshape(product, [...dims(a, batch), ...dims(a, aFree), ...dims(b, bFree)]), letters: [...batch, ...aFree, ...bFree] };
}

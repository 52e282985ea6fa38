// SimpleRNN, LSTM and GRU written as loops over scalars (Keras's formulas, gate blocks in Keras's order), the
// reference the recurrent layers are tested against.
import type { Tensor } from 'semiflow';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const at = (t: Tensor, ...idx: number[]) => t.storage[idx.reduce((o, i, k) => o * t.shape[k] + i, 0)];

export type Kind = 'simple' | 'lstm' | 'gru' | 'gruResetAfter';
const GATES: Record<Kind, number> = { simple: 1, lstm: 4, gru: 3, gruResetAfter: 3 };

/** h after every step, [batch][time][units], for x [batch, time, features] and Keras-layout weights. */
export function referenceRnn(kind: Kind, x: Tensor, W: Tensor, U: Tensor, b: Tensor, units: number): number[][][] {
  const [batch, time, features] = x.shape;
  const width = GATES[kind] * units;
  // Bias rows: the input bias, and for gruResetAfter the recurrent bias ([2, 3·units]).
  const bIn = (j: number) => (kind === 'gruResetAfter' ? at(b, 0, j) : at(b, j));
  const bRec = (j: number) => (kind === 'gruResetAfter' ? at(b, 1, j) : 0);
  return Array.from({ length: batch }, (_, n) => {
    let h = new Array<number>(units).fill(0);
    let c = new Array<number>(units).fill(0);
    const out: number[][] = [];
    for (let t = 0; t < time; t++) {
      const xw = Array.from({ length: width }, (_, j) => {
        let s = bIn(j);
        for (let f = 0; f < features; f++) s += at(x, n, t, f) * at(W, f, j);
        return s;
      });
      const hu = (v: number[], j: number) => v.reduce((s, hv, u) => s + hv * at(U, u, j), 0);
      if (kind === 'simple') {
        h = h.map((_, u) => Math.tanh(xw[u] + hu(h, u)));
      } else if (kind === 'lstm') {
        const z = xw.map((v, j) => v + hu(h, j));
        c = c.map((cu, u) => sigmoid(z[units + u]) * cu + sigmoid(z[u]) * Math.tanh(z[2 * units + u]));
        h = c.map((cu, u) => sigmoid(z[3 * units + u]) * Math.tanh(cu));
      } else {
        const inner = (j: number) => hu(h, j) + bRec(j);
        const z = h.map((_, u) => sigmoid(xw[u] + inner(u)));
        const r = h.map((_, u) => sigmoid(xw[units + u] + inner(units + u)));
        const rh = h.map((hv, u) => r[u] * hv);
        const hHat = h.map((_, u) => Math.tanh(xw[2 * units + u] + (kind === 'gru' ? hu(rh, 2 * units + u) : r[u] * inner(2 * units + u))));
        h = h.map((hv, u) => z[u] * hv + (1 - z[u]) * hHat[u]);
      }
      out.push(h);
    }
    return out;
  });
}

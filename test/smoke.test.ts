import { describe, expect, it } from 'vitest';
import { checkGrad, tanh, tensor } from 'semiflow';

describe('smoke', () => {
  it('self-import works and checkGrad passes on tanh', () => {
    const r = checkGrad((x) => tanh(x), tensor([0.2, -0.4, 1.5]));
    expect(r.ok, r.message).toBe(true);
  });
});

/**
 * The call() functions of semiflow's own layers. A tensor made inside one of them is reachable by library code
 * only, so a training step may recycle its memory; any other call() is user code (see userCode in core/buffer-scope.ts).
 * A subclass that overrides call() is user code again, since its call is a different function.
 */
const builtInCalls = new WeakSet<object>();

export function markBuiltIn(layerClass: { prototype: object }): void {
  builtInCalls.add((layerClass.prototype as { call: object }).call);
}

export function isBuiltInCall(call: object): boolean {
  return builtInCalls.has(call);
}

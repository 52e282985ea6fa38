// semiflow/testing: numeric gradient checks and fast-check arbitraries of tensors and shapes (fast-check is an
// optional peer dependency: install it to use the arbitraries).
export * from './core/testing/index.ts';

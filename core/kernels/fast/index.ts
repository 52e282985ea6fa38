import type { KernelTable } from '../kernel.ts';

/**
 * The fast kernels, installed over the reference ones unless SEMIFLOW_KERNELS=reference.
 * Each entry handles the cases it is fast for and hands the rest to the reference kernel,
 * and each has a parity test against it.
 */
export const fastKernels: Partial<KernelTable> = {};

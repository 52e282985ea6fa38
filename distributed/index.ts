export type { Communicator } from './communicator.ts';
export { localGroup } from './local-group.ts';
export type { LocalGroupOptions } from './local-group.ts';

export declare const SEQ: number;
export declare const NEXT: number;
export declare const DONE: number;
export declare const TOTAL: number;
export declare const FAIL: number;
export declare const ARG: number;
export declare const CONTROL_WORDS: number;
export declare const PIECE_BITS: number;
export declare function drain(
  ctl: Int32Array, seq: number, run: (arg: number, piece: number, worker: number) => void, worker: number,
): number;
export declare function spinWhile(ctl: Int32Array, index: number, value: number, ms: number): void;

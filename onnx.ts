// semiflow/onnx: models to and from ONNX (opset 17). Needs the onnx-buf package (an optional peer dependency).
export { toOnnx } from './onnx/to-onnx.ts';
export type { ToOnnxOptions } from './onnx/to-onnx.ts';
export { IMPORTED_OPS, UnsupportedOnnxError, loadOnnx } from './onnx/load-onnx.ts';

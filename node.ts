// semiflow/node: what reads and writes files, for Node. Importing it also sets Node's platform (see index.node.ts).
import './platform/node/register.ts';

export { readIdx } from './data/read-idx.ts';
export { idxDataset } from './data/idx-files.ts';
export { fileSource } from './data/file-source.ts';
export { loadMnist, mnistDir } from './data/mnist.ts';
export type { Mnist, MnistOptions } from './data/mnist.ts';
export { CSVLogger } from './models/callbacks/csv-logger.ts';
export type { CSVLoggerOptions } from './models/callbacks/csv-logger.ts';
export { TrainingReport } from './models/report/training-report.ts';
export type { TrainingReportOptions } from './models/report/report-options.ts';
export { loadOnnxFile, saveOnnx } from './onnx/files.ts';

import { availableParallelism } from 'node:os';
import { startNodeThread } from '../../core/kernels/threads/node-thread.ts';
import { setPlatform } from '../../core/platform.ts';
import { registerModelStore } from '../../models/io/stores.ts';
import { setTrainingReportMaker } from '../../models/report/report-seam.ts';
import { TrainingReport } from '../../models/report/training-report.ts';
import { fileStore } from './file-store.ts';

// Importing this module makes the framework use Node: worker_threads for the GEMM, process.stdout for
// progress, the file system for model.save(dir) / loadModel(dir), and HTML training reports.

setPlatform({
  name: 'node',
  cores: availableParallelism,
  env: (name) => process.env[name],
  startThread: startNodeThread,
  canBlock: true,
  stdout: process.stdout,
  log: (line) => process.stdout.write(`${line}\n`),
});
registerModelStore(fileStore);
setTrainingReportMaker((options) => new TrainingReport(options));

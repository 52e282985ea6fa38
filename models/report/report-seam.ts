import { ConfigError } from '../../core/errors.ts';
import type { Callback } from '../callbacks.ts';
import type { TrainingReportOptions } from './report-options.ts';

// fit's `report` option makes a TrainingReport, which writes an HTML file: the Node entry supplies it, so that
// the root entry (and a page) does not load the file system.

let makeReport: ((options: TrainingReportOptions) => Callback) | undefined;

export function setTrainingReportMaker(make: (options: TrainingReportOptions) => Callback): void {
  makeReport = make;
}

export function trainingReportCallback(options: TrainingReportOptions): Callback {
  if (makeReport === undefined) throw new ConfigError('fit: report writes an HTML file, which needs Node (the root entry under Node, or semiflow/node); in a page, use callbacks');
  return makeReport(options);
}

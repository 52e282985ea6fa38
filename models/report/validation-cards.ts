import { ConfigError, ShapeError, ValueError, fmtShape } from '../../core/errors.ts';
import type { Tensor } from '../../core/tensor.ts';
import type { Sequential } from '../sequential.ts';
import { classifierKind, predictedClasses, trueClasses } from './classes.ts';
import type { ClassifierKind } from './classes.ts';
import { confusionMatrix, confusionTable } from './confusion.ts';
import type { Card } from './html.ts';
import type { ImageShape, Miss, PixelRange } from './images.ts';
import { imageUri, missGrid } from './images.ts';

export interface ValidationInput {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly image: ImageShape | undefined;
  readonly pixels: PixelRange;
  readonly maxMisclassified: number;
  readonly classNames: readonly string[] | undefined;
}

/** Why the classification cards are missing, as one wide card. */
const noteCard = (note: string): Card => ({ id: 'confusion', title: 'Confusion matrix', note, body: '', wide: true });

function checkLabels(labels: Int32Array, y: Tensor, kind: ClassifierKind, classes: number, who: string): void {
  if (kind === 'categorical' && y.size / y.shape[0] !== classes) {
    throw new ShapeError(`${who}: validationData y ${fmtShape(y.shape)} must be one-hot rows of ${classes} classes (the model's output width)`);
  }
  const bad = labels.findIndex((l) => l < 0 || l >= classes);
  if (bad >= 0) throw new ValueError(`${who}: validation label ${y.storage[bad]} (sample ${bad}) is not a class in 0..${classes - 1}`);
}

/**
 * The confusion matrix of the model on the validation data and a grid of the first misclassified samples;
 * a note instead when there is no data, no model, or the model is not a classifier.
 */
export function validationCards(model: Sequential | undefined, data: ValidationInput | undefined, who: string): Card[] {
  if (data === undefined) return [noteCard('No validationData was given to TrainingReport, so the confusion matrix and the misclassified samples are left out.')];
  if (model === undefined) return [noteCard('The report has no model (fit passes it with setModel), so the confusion matrix is left out.')];
  const lossName = model.compiled?.loss.name ?? '';
  const kind = classifierKind(lossName, model.outputShape);
  if (kind === undefined) {
    return [noteCard(`The model is not a classifier (loss ${lossName || 'unknown'}, output ${fmtShape(model.outputShape ?? [])}), so there is no confusion matrix.`)];
  }
  const classes = kind === 'binary' ? 2 : (model.outputShape as readonly number[])[0];
  const names = data.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  if (names.length !== classes) throw new ConfigError(`${who}: classNames has ${names.length} names but the model has ${classes} classes`);
  const truth = trueClasses(data.y, kind);
  checkLabels(truth, data.y, kind, classes, who);
  const { predicted, score } = predictedClasses(model.predict(data.x, { batchSize: 256, verbose: 0 }), kind);
  const counts = confusionMatrix(truth, predicted, classes);
  const rows = truth.length;
  const wrong: number[] = [];
  truth.forEach((t, i) => { if (t !== predicted[i]) wrong.push(i); });
  const accuracy = (100 * (rows - wrong.length)) / rows;
  const shown = wrong.slice(0, data.maxMisclassified);
  const misses: Miss[] = shown.map((i) => ({
    index: i, trueLabel: names[truth[i]], predictedLabel: names[predicted[i]], score: score[i],
    uri: data.image === undefined ? undefined : imageUri(data.x.storage, i, data.image, data.pixels),
  }));
  const count = `<p class="note miss-count" data-misclassified="${wrong.length}" data-total="${rows}">${wrong.length} of ${rows} misclassified`
    + ` (${(100 - accuracy).toFixed(2)}%)${shown.length > 0 ? `; showing ${shown.length === wrong.length ? 'all' : `the first ${shown.length}`}, true label → predicted` : ''}.</p>`;
  return [
    { id: 'confusion', title: 'Confusion matrix', note: `${rows} validation samples, ${accuracy.toFixed(2)}% correct; rows are true classes, columns predicted, shaded by share of the row.`, body: confusionTable(counts, names) },
    { id: 'misclassified', title: 'Misclassified validation samples', body: count + (misses.length > 0 ? missGrid(misses) : '') },
  ];
}

import { ConfigError } from '../../core/errors.ts';
import type { Callback } from '../callbacks.ts';
import type { Model } from '../model.ts';

/** The base of the built-in callbacks: fit hands it the model through setModel before onTrainBegin. */
export abstract class ModelCallback implements Callback {
  private current: Model | undefined;

  setModel(model: Model): void {
    this.current = model;
  }

  protected get model(): Model {
    if (this.current === undefined) {
      throw new ConfigError(`${this.constructor.name}: no model yet; pass the callback to fit({ callbacks }), which calls setModel`);
    }
    return this.current;
  }
}

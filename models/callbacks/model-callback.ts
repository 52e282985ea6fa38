import { ConfigError } from '../../core/errors.ts';
import type { Callback } from '../callbacks.ts';
import type { Sequential } from '../sequential.ts';

/** The base of the built-in callbacks: fit hands it the model through setModel before onTrainBegin. */
export abstract class ModelCallback implements Callback {
  private current: Sequential | undefined;

  setModel(model: Sequential): void {
    this.current = model;
  }

  protected get model(): Sequential {
    if (this.current === undefined) {
      throw new ConfigError(`${this.constructor.name}: no model yet; pass the callback to fit({ callbacks }), which calls setModel`);
    }
    return this.current;
  }
}

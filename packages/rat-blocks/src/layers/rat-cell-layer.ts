import * as tf from '@tensorflow/tfjs';
import { initLstmCell, type LstmCellParams, lstmCellStep } from '../core/lstm-cell';
import {
  inputList,
  type LayerShape,
  lastDimension,
  RatBlocksLayer,
  type SeededLayerArgs,
  shapeList,
} from './rat-blocks-layer';

const LAYER = 'RatBlocksRatCell';
const EXPECTED = '[cond [batch, condDim], h [batch, units], c [batch, units]]';

/** Arguments of {@link RatCellLayer}. */
export interface RatCellLayerArgs extends SeededLayerArgs {
  /** Hidden size of the LSTM cell (RATLIP: 64). */
  units: number;
}

/**
 * The shared LSTM cell of paper-mode RAT as a `tf.layers` layer: inputs `[cond, h, c]`, outputs
 * `[h', c']` (`[batch, units]` each), PyTorch gate order and initialisation. Call the SAME instance once per
 * recurrent affine, in forward order, to share one cell across layers. Serialisable (class name
 * `RatBlocksRatCell`).
 */
export class RatCellLayer extends RatBlocksLayer {
  static className = LAYER;
  readonly units: number;
  private cell:
    | {
        inputKernel: tf.LayerVariable;
        recurrentKernel: tf.LayerVariable;
        inputBias: tf.LayerVariable;
        recurrentBias: tf.LayerVariable;
      }
    | undefined;

  constructor(args: RatCellLayerArgs) {
    super(args);
    if (!Number.isInteger(args?.units) || args.units <= 0) {
      throw new Error(`${LAYER}: args.units must be a positive integer, got ${args?.units}`);
    }
    this.units = args.units;
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const [condShape] = shapeList(inputShape, 3, LAYER, EXPECTED) as [LayerShape];
    const initial = initLstmCell(lastDimension(condShape, LAYER, 'cond'), this.units, this.initRandom());
    this.cell = {
      inputKernel: this.addWeightFrom('input_kernel', initial.inputKernel),
      recurrentKernel: this.addWeightFrom('recurrent_kernel', initial.recurrentKernel),
      inputBias: this.addWeightFrom('input_bias', initial.inputBias),
      recurrentBias: this.addWeightFrom('recurrent_bias', initial.recurrentBias),
    };
    this.built = true;
  }

  /** The cell as functional parameters (no copies). */
  cellParams(): LstmCellParams {
    if (!this.cell) throw new Error(`${this.name}: layer used before it was built`);
    return {
      inputKernel: this.cell.inputKernel.read(),
      recurrentKernel: this.cell.recurrentKernel.read(),
      inputBias: this.cell.inputBias.read(),
      recurrentBias: this.cell.recurrentBias.read(),
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const [cond, h, c] = inputList(inputs, 3, this.name, EXPECTED) as [tf.Tensor, tf.Tensor2D, tf.Tensor2D];
    return tf.tidy(() => {
      const next = lstmCellStep(this.cellParams(), cond, { h, c });
      return [next.h, next.c];
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape[] {
    const [condShape] = shapeList(inputShape, 3, LAYER, EXPECTED) as [LayerShape];
    return [
      [condShape[0] ?? null, this.units],
      [condShape[0] ?? null, this.units],
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}

tf.serialization.registerClass(RatCellLayer, 'RatBlocks');

import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from '../model/clip-config';
import { ClipModel } from '../model/clip-model';
import {
  assembleClipParameters,
  type ClipParameters,
  checkClipParameters,
  clipParameterEntries,
} from '../model/clip-parameters';

/** A CLIP whose parameters are trainable `tf.Variable`s. */
export interface TrainableClip {
  /** The model, built on the variables (its `dispose` frees them). */
  model: ClipModel;
  /** The same variables by canonical (OpenAI state_dict) key, in state_dict order. */
  variables: Map<string, tf.Variable>;
}

/**
 * A trainable copy of CLIP parameters. `ClipModel` stores plain tensors so frozen uses (RATLIP's
 * discriminator and text encoder) never update it; training instead builds the same model on
 * `tf.Variable`s, which `tf.variableGrads` differentiates and an optimizer assigns. The given
 * parameters stay owned by the caller and are not changed.
 * @param parameters TF.js-layout weights fitting `config` (e.g. `initializeClipParameters` or a loaded model's).
 */
export function trainableClip(config: ClipConfig, parameters: ClipParameters): TrainableClip {
  checkClipParameters(config, parameters);
  const variables = new Map<string, tf.Variable>();
  // A variable shares its initial data by reference count and replaces it on assign: no copy needed.
  for (const [key, tensor] of clipParameterEntries(parameters)) {
    variables.set(key, tf.variable(tensor, true));
  }
  const model = new ClipModel(
    config,
    assembleClipParameters(config, (key) => variables.get(key)!),
  );
  return { model, variables };
}

/**
 * A frozen copy (plain tensors, owned by the caller) of a model's parameters, e.g. to hand a trained
 * CLIP to code that must not change it while training continues.
 */
export function frozenClipCopy(model: ClipModel): ClipModel {
  const copies = new Map<string, tf.Tensor>();
  for (const [key, tensor] of clipParameterEntries(model.parameters)) copies.set(key, tensor.clone());
  return new ClipModel(
    model.config,
    assembleClipParameters(model.config, (key) => copies.get(key)!),
  );
}

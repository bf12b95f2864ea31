import {
  type ClipTextTransformer,
  clipTextWeightsToSafetensors,
  clipVisionWeightsToSafetensors,
} from '@ratlip/clip';
import { writeSafetensors } from '@ratlip/runtime';
import { disposeStateDict, stateDictToSafetensors } from '../checkpoint/state-dict-tensors';
import { NET_G_CLIP_PREFIX } from '../model/net-g';
import type { RatlipGan } from '../model/ratlip-gan';
import type { WebModelProvenance } from './web-model-manifest';
import { buildWebModel, type WebModelFolder } from './web-model-writer';

/** What {@link exportWebModel} packages. */
export interface ExportWebModelOptions {
  /** The trained model; its CLIP image tower becomes the generator file's `mapping.CLIP_ViT.*`. */
  model: RatlipGan;
  /** The CLIP text tower the model was trained with (its sentence encoder). */
  textTower: ClipTextTransformer;
  /**
   * Token ids whose embedding rows the text file keeps (a CLIP trained on a closed vocabulary, such as
   * the Shapes CLIP, uses a few dozen of 49,408); default all. Other ids read as zero rows.
   */
  textTokenIds?: Iterable<number>;
  /** Display name. */
  name: string;
  /** One or two sentences for the model picker; default none. */
  description?: string;
  /** Example captions for the page (1 to 64). */
  sampleCaptions: string[];
  /** Where the model comes from; default none. */
  provenance?: WebModelProvenance;
}

/**
 * A trained model as a web model (what `ratlip export --web` writes): the generator that sampling uses
 * (the EMA copy when the model keeps one) under the official NetG names with the CLIP image tower
 * under `mapping.CLIP_ViT.`, the CLIP text tower, and the manifest with the resolved config. F32
 * weights, so the page computes exactly what Node does. Writes nothing; see {@link buildWebModel}.
 */
export async function exportWebModel(options: ExportWebModelOptions): Promise<WebModelFolder> {
  const { model, textTower } = options;
  const dicts = model.exportStateDicts();
  let generatorBytes: Uint8Array;
  try {
    const generator = stateDictToSafetensors(dicts.netGEma ?? dicts.netG);
    const vision = clipVisionWeightsToSafetensors(model.vision, { prefix: NET_G_CLIP_PREFIX });
    generatorBytes = writeSafetensors(
      { ...generator, ...vision.tensors },
      { ...vision.metadata, network: 'netG' },
    );
  } finally {
    for (const dict of Object.values(dicts)) disposeStateDict(dict);
  }
  const text = clipTextWeightsToSafetensors(
    textTower,
    options.textTokenIds === undefined ? {} : { tokenIds: options.textTokenIds },
  );
  return buildWebModel({
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    preset: model.config.name,
    config: JSON.parse(JSON.stringify(model.config)) as Record<string, unknown>,
    weights: { generator: generatorBytes, textEncoder: writeSafetensors(text.tensors, text.metadata) },
    contextLength: textTower.config.contextLength,
    sampleCaptions: options.sampleCaptions,
    ...(options.provenance === undefined ? {} : { provenance: options.provenance }),
  });
}

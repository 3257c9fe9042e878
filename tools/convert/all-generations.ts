/**
 * @file Every model file the registry ships: face-api's generation 1 (convertAll), Human's
 * generation 2 (convertGeneration2, one group), then the objects and classification models
 * (convertGraphModels). The registry build, `npm run convert` and the tests that rebuild the
 * registry all take this one list.
 */
import { convertAll, DEFAULT_MODEL_DIR, type ConvertedModel } from './index.ts';
import { convertGeneration2 } from './generation-2.ts';
import { convertGraphModels } from './graph-models.ts';

/** Generation 1 from `modelDir` (face-api's weights), generation 2 and the graph models from their packages. */
export function convertRegistryModels(modelDir: string = DEFAULT_MODEL_DIR): ConvertedModel[] {
  return [...convertAll(modelDir), ...convertGeneration2(), ...convertGraphModels()];
}

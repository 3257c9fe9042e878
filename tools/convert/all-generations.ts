/**
 * @file Every model file the registry ships: face-api's generation 1 (convertAll) followed by
 * Human's generation 2 (convertGeneration2, one group). The registry build, `npm run convert` and
 * the tests that rebuild the registry all take this one list.
 */
import { convertAll, DEFAULT_MODEL_DIR, type ConvertedModel } from './index.ts';
import { convertGeneration2 } from './generation-2.ts';

/** Generation 1 from `modelDir` (face-api's weights) and generation 2 from Human's package. */
export function convertRegistryModels(modelDir: string = DEFAULT_MODEL_DIR): ConvertedModel[] {
  return [...convertAll(modelDir), ...convertGeneration2()];
}

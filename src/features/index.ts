/**
 * @file The features this build serves, in display order. Adding a feature is one folder under
 * `src/features/` and one line in this list; everything else (worker, model manager, UI, tools)
 * receives the list from here.
 */
import type { Feature } from '../shared/feature.ts';
import { TaskRegistry } from '../shared/tasks.ts';
import { faces } from './faces/index.ts';
import { objects } from './objects/index.ts';
import { classification } from './classification/index.ts';

/** Every feature, in display order. */
export const FEATURES: readonly Feature[] = [faces as Feature, objects as Feature, classification as Feature];

/** The task contracts of every feature's models. */
export const TASKS = new TaskRegistry(FEATURES.flatMap((f) => f.tasks));

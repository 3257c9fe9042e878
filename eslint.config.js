// @file Lint rules, including the architecture boundaries: only the engine module imports
// onnxruntime-web, the UI never reaches into worker code, worker and shared code never touch
// React or the UI, shared contracts stay free of Node modules, features are DOM-free folders
// that depend only on src/shared, and generic code reaches features only through
// src/features/index.ts (never a feature's own files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const ORT_ONLY_IN_ENGINE = {
  name: 'onnxruntime-web',
  message: 'Only src/inference/engine/ort-engine.ts imports onnxruntime-web.',
};
const ortPatterns = [
  { group: ['onnxruntime-web/*', 'onnxruntime-common', 'onnxruntime-node'], message: ORT_ONLY_IN_ENGINE.message },
];
/**
 * Code that runs in every thread and in Node (src/shared, src/features): no runtime, React,
 * storage or Node modules, and no project code outside src/shared (plus `extra` groups).
 */
function portable(who, extra) {
  return {
    paths: [ORT_ONLY_IN_ENGINE, 'react', 'react-dom', 'sharp', 'idb-keyval', 'comlink'],
    patterns: [
      ...ortPatterns,
      { group: ['node:*', 'fs', 'path', 'crypto'], message: `${who} runs in every thread: no Node modules.` },
      {
        group: ['**/app/**', '**/store/**', '**/inference/**', '**/models/**', '**/update/**', '**/tools/**', ...extra],
        message: `${who} depends only on src/shared${extra.length ? '' : ' (and its own folder)'}.`,
      },
    ],
  };
}
const FEATURE_GROUP = '**/features/**';
// A feature folder is reached only through the list in src/features/index.ts.
const FEATURE_FOLDERS = {
  group: ['**/features/*/**', '!**/features/index.ts'],
  message: 'Generic code never imports a feature; take the list from src/features/index.ts.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'public/models/',
      'test-results/',
      'playwright-report/',
      'e2e/.artifacts/',
      'bench/.tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [ORT_ONLY_IN_ENGINE], patterns: ortPatterns }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['src/inference/engine/ort-engine.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/app/**/*.{ts,tsx}', 'src/store/**/*.ts', 'src/main.tsx', 'src/update/client/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [ORT_ONLY_IN_ENGINE],
          patterns: [
            ...ortPatterns,
            {
              group: ['**/inference/worker/**', '**/inference/engine/**', '**/inference/host/**'],
              message: 'The UI talks to inference only through src/inference/client (Comlink bridge).',
            },
            FEATURE_FOLDERS,
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/inference/worker/**/*.ts',
      'src/inference/host/**/*.ts',
      'src/inference/common/**/*.ts',
      'src/inference/engine/**/*.ts',
      'src/models/**/*.ts',
      'src/update/sw/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ORT_ONLY_IN_ENGINE,
            { name: 'react', message: 'Worker code never imports React.' },
            { name: 'react-dom', message: 'Worker code never imports React.' },
          ],
          patterns: [
            ...ortPatterns,
            { group: ['**/app/**', '**/store/**'], message: 'Worker code never imports UI modules.' },
            FEATURE_FOLDERS,
          ],
        },
      ],
    },
  },
  {
    files: ['src/inference/engine/ort-engine.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'react', message: 'Engine code never imports React.' }] }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', portable('src/shared', [FEATURE_GROUP])] },
  },
  {
    files: ['src/features/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', portable('A feature', [])] },
  },
  {
    // Features are DOM-free: the worker and the Node CLI run the same code.
    files: ['src/features/**/*.ts', 'src/shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: { 'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'self', 'localStorage'] },
  },
);

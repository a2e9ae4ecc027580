import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';

/** Every folder under src/features is a feature: a new one is isolated without editing this file. */
const FEATURES = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** A feature never imports another feature, nor the app layer: composition happens in src/app. */
const featureIsolation = FEATURES.map((feature) => ({
  files: [`src/features/${feature}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: FEATURES.filter((f) => f !== feature).map((f) => `@/features/${f}*`), message: 'Features do not import each other; compose them in src/app.' },
          { group: ['@/app*', '../../*'], message: 'Features do not reach into the app layer or other folders by relative path.' },
        ],
      },
    ],
  },
}));

/** Shared layers (components, lib, hooks, utils, config) know nothing about features or the app. */
const sharedLayers = {
  files: ['src/{components,lib,hooks,utils,config}/**/*.{ts,tsx}'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: ['@/features/*', '@/app*'], message: 'Shared code must not depend on features or the app.' }] }],
  },
};

/** The app composes features through their public index only, never their internals. */
const appUsesFeatureIndexes = {
  files: ['src/app/**/*.{ts,tsx}'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: ['@/features/*/**'], message: 'Import a feature through its index (@/features/<name>), not its internals.' }] }],
  },
};

export default tseslint.config(
  { ignores: ['dist', 'widget/dist', 'e2e-artifacts', 'node_modules'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Text is rendered as text.' }],
    },
  },
  {
    files: ['e2e/**/*.ts', '*.config.ts'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  /** widget.js runs on other sites: its own small bundle, never the SPA's code, React or markup from strings. */
  {
    files: ['widget/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['@/*', '../src/*', 'react', 'react-dom', '@tanstack/*'], message: 'The widget bundle stays small and standalone.' }] }],
      'no-restricted-properties': ['error', { property: 'innerHTML', message: 'Text is rendered as text (textContent).' }],
    },
  },
  ...featureIsolation,
  sharedLayers,
  appUsesFeatureIndexes,
);

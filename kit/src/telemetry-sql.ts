import path from 'node:path';
import type { Instrumentation } from './telemetry';

/** Where `from` would load `pg` from (undefined when it cannot). */
function pgOf(from: string): string | undefined {
  try {
    return require.resolve('pg', { paths: [path.dirname(from)] });
  } catch {
    return undefined;
  }
}

/**
 * Every copy of `pg` a subgraph uses — npm may install several versions side by side (it does
 * at the moment: kit's, knex's at the root, and one inside @mikro-orm/postgresql): kit's own
 * (the migrations' lock, `ensureDatabase`), the one knex loads as MikroORM's driver (every
 * query of the ORM), and MikroORM's (its type parsers).
 */
function loadedPgModules(): object[] {
  const knex = require.resolve('knex', { paths: [path.dirname(require.resolve('@mikro-orm/knex'))] });
  const files = new Set([require.resolve('pg'), pgOf(knex), pgOf(require.resolve('@mikro-orm/postgresql'))].filter((file): file is string => !!file));
  return [...files].map((file) => require(file) as object);
}

/**
 * SQL spans (@opentelemetry/instrumentation-pg) for a subgraph's process, registered with its
 * tracing (kit/subgraph's `createSubgraph` passes it to `startTelemetry`, its first module).
 *
 * instrumentation-pg hooks `require('pg')`, so it must be registered before `pg` is first
 * required — and in an Atrium process `pg` is loaded long before any code runs: a subgraph's
 * `main.ts` imports its server, which imports `@atrium/kit/subgraph` (MikroORM, kit's db.ts),
 * which requires `pg`; the earliest point Atrium's code runs (`runService`, then
 * `createSubgraph`) is after that, and a preloaded `--require` would be the only earlier one.
 * So the `pg` already loaded — each copy: MikroORM has its own — is patched in place too: the instrumentation wraps
 * `Client.prototype.query` and `connect`, which every client — MikroORM's pool through knex,
 * kit's migration lock — shares, however early it was loaded (the same patch its require hook
 * applies; re-patching unwraps first, so the two never stack). The same in-place patch is what
 * makes it work under jest, whose module registry bypasses require hooks.
 *
 * Only statements inside a span are traced (`requireParentSpan`): the relay's polling and
 * the readiness probes' `select 1` do not start traces of their own.
 */
export const sqlInstrumentation: Instrumentation = {
  key: 'pg',
  enable() {
    const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
    const instrumentation = new PgInstrumentation({ enabled: false, requireParentSpan: true });
    instrumentation.enable(); // hooks later requires of pg (a process that loads it only now)
    const modules = loadedPgModules();
    const definitions = instrumentation.getModuleDefinitions().filter((definition) => definition.name === 'pg');
    for (const pg of modules) for (const definition of definitions) definition.patch?.(pg);
    return {
      disable() {
        instrumentation.disable();
        for (const pg of modules) for (const definition of definitions) definition.unpatch?.(pg);
      },
    };
  },
};

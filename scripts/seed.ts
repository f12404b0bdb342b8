// `npm run seed`: loads the demo data of scripts/lib/seed-plan.ts into a running Atrium
// (`npm start` in another terminal), through the gateway's GraphQL API like any client,
// so every event, e-mail and audit entry happens as it would for real users. Its operations
// are trusted documents (documents/seed.graphql): it runs under TRUSTED_DOCUMENTS=enforce too.
import { SingleBar, Presets } from 'cli-progress';
import { DEV_ADMIN } from './lib/service-plan';
import { createSeedClient } from './lib/seed-client';
import { loadSeedOperations } from './lib/seed-operations';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './lib/seed-plan';
import { runSeed } from './lib/seed-run';
import { loadSeedEnv } from './lib/tool-env';

const { gatewayUrl: GATEWAY, graphqlUrl, admin: ADMIN } = loadSeedEnv(DEV_ADMIN);
const BOOKINGS = 36;

async function main(): Promise<void> {
  const operations = loadSeedOperations();
  try {
    await fetch(`${GATEWAY}/health`);
  } catch {
    throw new Error(`No Atrium answers at ${GATEWAY}: run \`npm start\` in another terminal first (or set GATEWAY_URL).`);
  }
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} | {step}', hideCursor: true }, Presets.shades_classic);
  // Rate limits apply to the seed like to any client: it waits when told to (Retry-After), so
  // it never spends the budget the admin needs to sign in right after it.
  const gql = createSeedClient({ url: graphqlUrl, onWait: (seconds) => bar.update({ step: `rate limited: waiting ${seconds}s` }) });
  const seeded = await runSeed({
    gql,
    operations,
    admin: ADMIN,
    bookings: BOOKINGS,
    onStart: (steps) => bar.start(steps, 0, { step: 'accounts' }),
    onStep: (name) => bar.increment(1, { step: name }),
  }).finally(() => bar.stop());
  console.log(`\nSeeded ${seeded.accounts} accounts, ${seeded.locations} locations, ${seeded.workspaces} workspaces, ${seeded.bookings} bookings.`);
  console.log(`Sign in as ${DEMO_ACCOUNTS.member.email} or ${DEMO_ACCOUNTS.manager.email} (password ${DEMO_PASSWORD}), or ${ADMIN.email}.`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\nseed failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);

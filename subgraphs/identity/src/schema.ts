import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { AuthResolver } from './auth/auth.resolver';
import { MfaResolver } from './auth/mfa.resolver';
import type { IdentityContext } from './context';
import { KeysResolver } from './keys/keys.resolver';
import { UserResolver } from './user/user.resolver';

/** identity's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [UserResolver, AuthResolver, MfaResolver, KeysResolver],
    references: {
      // Every User key of a request in one query (kit's loader batches them).
      User: (ids, ctx) => (ctx as IdentityContext).users.byIds(ids),
    },
  });
}

import { buildFederatedSchema } from '@atrium/kit/subgraph';
import { AuthResolver } from './auth/auth.resolver';
import { MfaResolver } from './auth/mfa.resolver';
import { KeysResolver } from './keys/keys.resolver';
import { UserResolver } from './user/user.resolver';
import { UserService } from './user/user.service';

/** identity's subgraph schema; needs no database, so `npm run compose` can print it. */
export function buildSchema() {
  return buildFederatedSchema({
    resolvers: [UserResolver, AuthResolver, MfaResolver, KeysResolver],
    references: {
      // Every User key of a request in one query (kit's loader batches them).
      User: (ids, ctx) => new UserService(ctx.em).byIds(ids),
    },
  });
}

import type { Context } from '@atrium/kit/subgraph';
import { AuthService } from './auth/auth.service';
import { MfaService } from './auth/mfa.service';
import type { IdentityConfig } from './config';
import type { KeysService } from './keys/keys.service';
import { UserService } from './user/user.service';

/** kit's request context plus identity's services, bound to the request's entity manager. */
export interface IdentityContext extends Context {
  users: UserService;
  auth: AuthService;
  mfa: MfaService;
  keys: KeysService;
}

/** Builds the services of one request (cheap objects; the key cache lives in the shared `keys`). */
export function identityContext(base: Context, keys: KeysService, config: IdentityConfig): IdentityContext {
  const users = new UserService(base.em, base.events);
  const mfa = new MfaService(base.em);
  const auth = new AuthService({ em: base.em, log: base.log, keys, config, users, mfa, pubSub: base.pubSub });
  return { ...base, users, mfa, auth, keys };
}

import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { MfaSetup } from './auth.types';

@Resolver()
export class MfaResolver {
  @Mutation(() => MfaSetup, { description: 'Starts TOTP enrolment; MFA is on only after confirmMfa' })
  @Authenticated()
  enableMfa(@Ctx() ctx: IdentityContext): Promise<MfaSetup> {
    return ctx.mfa.enable(ctx.caller!.userId);
  }

  @Mutation(() => Boolean, { description: 'Turns MFA on with a current code of the new authenticator' })
  @Authenticated()
  confirmMfa(@Arg('code') code: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return ctx.mfa.confirm(ctx.caller!.userId, code);
  }

  @Mutation(() => Boolean, { description: 'Turns MFA off; needs a current code' })
  @Authenticated()
  disableMfa(@Arg('code') code: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return ctx.mfa.disable(ctx.caller!.userId, code);
  }
}

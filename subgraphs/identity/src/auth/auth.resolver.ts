import { Authenticated } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';
import { LoginInput, RegisterInput } from './auth.input';
import { AuthPayload } from './auth.types';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a MEMBER account and signs it in' })
  register(@Arg('input') input: RegisterInput, @Ctx() ctx: IdentityContext): Promise<AuthPayload> {
    return ctx.auth.register(input);
  }

  @Mutation(() => AuthPayload, { description: 'Signs in; `totp` is required when MFA is on (error reason MFA_REQUIRED / MFA_INVALID)' })
  login(@Arg('input') input: LoginInput, @Ctx() ctx: IdentityContext): Promise<AuthPayload> {
    return ctx.auth.login(input);
  }

  @Mutation(() => AuthPayload, { description: 'Exchanges a refresh token (single-use) for a new access and refresh token' })
  refreshSession(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: IdentityContext): Promise<AuthPayload> {
    return ctx.auth.refresh(refreshToken);
  }

  @Mutation(() => Boolean, { description: "Ends the refresh token's session; idempotent" })
  logout(@Arg('refreshToken') refreshToken: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    return ctx.auth.logout(refreshToken);
  }

  @Mutation(() => Boolean, { description: 'Changes your password and signs out your other sessions' })
  @Authenticated()
  changePassword(
    @Arg('currentPassword') currentPassword: string,
    @Arg('newPassword') newPassword: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.auth.changePassword(ctx.caller!, currentPassword, newPassword);
  }
}

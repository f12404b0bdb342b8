import { RequiresScopes } from '@atrium/kit/subgraph';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { IdentityContext } from '../context';

@Resolver()
export class KeysResolver {
  @Mutation(() => String, {
    description: 'Makes a new signing key active and returns its kid; the previous key keeps verifying until its tokens expire',
  })
  @RequiresScopes(['system:admin'])
  async rotateSigningKey(@Ctx() ctx: IdentityContext): Promise<string> {
    const kid = await ctx.keys.rotate();
    ctx.log.info({ kid, by: ctx.caller!.userId }, 'signing key rotated');
    return kid;
  }

  @Mutation(() => Boolean, { description: 'Removes a rotated-out key from the JWKS at once (a compromised key): its tokens stop verifying' })
  @RequiresScopes(['system:admin'])
  async retireSigningKey(@Arg('kid') kid: string, @Ctx() ctx: IdentityContext): Promise<boolean> {
    await ctx.keys.retire(kid);
    ctx.log.warn({ kid, by: ctx.caller!.userId }, 'signing key retired: tokens it signed no longer verify');
    return true;
  }
}

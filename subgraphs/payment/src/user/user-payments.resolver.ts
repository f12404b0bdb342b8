import { Authenticated, connectionType, PageArgs } from '@atrium/kit/subgraph';
import { Args, Ctx, Directive, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import type { PaymentContext } from '../context';
import { Payment } from '../payment/payment.entity';
import { UserExtension } from './user.extension';

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType()
export class PaymentConnection extends connectionType(Payment, 'Payment') {}

/** `User.payments`: payment's field on identity's entity. */
@Resolver(() => UserExtension)
export class UserPaymentsResolver {
  @FieldResolver(() => PaymentConnection, { description: "The user's payments, newest first: your own, or anyone's with bookings:read" })
  @Authenticated()
  payments(@Root() user: UserExtension, @Args() page: PageArgs, @Ctx() ctx: PaymentContext) {
    return ctx.payments.forUser(user.id, page);
  }
}

import { PageArgs } from '@atrium/kit/subgraph';
import { ArgsType, Field } from 'type-graphql';
import { NotificationChannel } from './notification.entity';

@ArgsType()
export class NotificationsArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Only those not marked read yet' })
  unreadOnly!: boolean | null;

  @Field(() => NotificationChannel, {
    nullable: true,
    defaultValue: NotificationChannel.IN_APP,
    description: 'IN_APP (the inbox) unless given; EMAIL or SMS list what was sent there; null lists every channel',
  })
  channel!: NotificationChannel | null;
}

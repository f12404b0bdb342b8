import { IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

/** Only the fields given change; `phone: null` (or "") removes the number. */
@InputType()
export class UpdateNotificationPreferencesInput {
  @Field({ nullable: true })
  email?: boolean;

  @Field({ nullable: true })
  sms?: boolean;

  @Field({ nullable: true })
  inApp?: boolean;

  @Field(() => String, { nullable: true, description: 'International format, e.g. +33 6 12 34 56 78 (spaces and dashes are ignored).' })
  @IsOptional()
  @MaxLength(32)
  phone?: string | null;
}

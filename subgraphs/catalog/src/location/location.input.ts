import { IsTimeZone, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class CreateLocationInput {
  @Field()
  @Length(1, 120)
  name!: string;

  @Field()
  @Length(1, 80)
  city!: string;

  @Field()
  @Length(1, 300)
  address!: string;

  @Field({ description: 'IANA time zone, e.g. Europe/Paris' })
  @IsTimeZone()
  timezone!: string;
}

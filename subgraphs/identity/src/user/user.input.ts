import { IsNotEmpty, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

export const NAME_MAX_LENGTH = 100;

@InputType()
export class UpdateProfileInput {
  @Field()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(NAME_MAX_LENGTH, { message: `must be at most ${NAME_MAX_LENGTH} characters` })
  name!: string;
}

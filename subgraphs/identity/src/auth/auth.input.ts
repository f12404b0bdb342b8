import { IsEmail, IsNotEmpty, Length, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { NAME_MAX_LENGTH } from '../user/user.input';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RULE } from './password';

@InputType({ description: 'A new account; it gets the MEMBER role.' })
export class RegisterInput {
  @Field()
  @IsEmail({}, { message: 'must be an e-mail address' })
  @MaxLength(254, { message: 'must be at most 254 characters' })
  email!: string;

  @Field({ description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` })
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, { message: PASSWORD_RULE })
  password!: string;

  @Field()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(NAME_MAX_LENGTH, { message: `must be at most ${NAME_MAX_LENGTH} characters` })
  name!: string;
}

@InputType()
export class LoginInput {
  @Field()
  @MaxLength(254, { message: 'must be at most 254 characters' })
  email!: string;

  @Field()
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;

  @Field(() => String, { nullable: true, description: 'The current code of the authenticator, when MFA is on' })
  totp?: string | null;
}

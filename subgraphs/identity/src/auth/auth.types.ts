import { Field, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity';

@ObjectType({ description: 'What register, login and refreshSession return.' })
export class AuthPayload {
  @Field({ description: 'An ES256 JWT; send it as `Authorization: Bearer <token>`' })
  accessToken!: string;

  @Field({ description: 'Opaque and single-use: exchange it with refreshSession for a new pair' })
  refreshToken!: string;

  @Field(() => Date, { description: 'When the access token expires' })
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}

@ObjectType({ description: 'A pending TOTP enrolment: show the URL as a QR code, then call confirmMfa.' })
export class MfaSetup {
  @Field({ description: 'Base32 secret, for manual entry' })
  secret!: string;

  @Field({ description: 'otpauth:// URI for authenticator apps' })
  otpauthUrl!: string;
}

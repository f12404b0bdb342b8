import { RefreshToken } from './auth/refresh-token.entity';
import { Session } from './auth/session.entity';
import { SigningKey } from './keys/signing-key.entity';
import { User } from './user/user.entity';

/** Every identity entity, listed (no folder discovery). */
export const entities = [User, Session, RefreshToken, SigningKey];

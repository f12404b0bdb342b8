import { badInput, hasScope, notFound, Role, Scope, type Caller, isUuid } from '@atrium/kit';
import { checkCursor, toConnection, type Connection, type EntityManager, type EventRecorder, type PageArgs, findPage, findReadOnly } from '@atrium/kit/subgraph';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { hashPassword } from '../auth/password';
import { User } from './user.entity';



/**
 * The row rule of a user's private fields (`email`, `mfaEnabled`): the user themself, or a
 * caller who may read any user (`users:read`).
 */
export const canReadPrivateFields = (caller: Caller | null, user: User) =>
  !!caller && (caller.userId === user.id || hasScope(caller, Scope.USERS_READ));

export interface NewUser {
  email: string;
  password: string;
  name: string;
  roles?: Role[];
}

export class UserService {
  constructor(
    private readonly em: EntityManager,
    /** Where user events go (the request's outbox); without it nothing is announced. */
    private readonly events?: EventRecorder,
  ) {}

  byId(id: string): Promise<User | null> {
    return isUuid(id) ? this.em.findOne(User, { id }) : Promise.resolve(null);
  }

  /**
   * The same row as `byId`, for a request that only answers with it (the `user` query):
   * read without identity map or change tracking (kit's `findReadOnly`). Never to change.
   */
  async read(id: string): Promise<User | null> {
    if (!isUuid(id)) return null;
    const [user] = await findReadOnly(this.em, User, { id }, { limit: 1 });
    return user ?? null;
  }

  /** One query for many ids: what `__resolveReference` batches into. */
  byIds(ids: readonly string[]): Promise<User[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.em.find(User, { id: { $in: valid } }) : Promise.resolve([]);
  }

  /** Case-insensitive (the column is citext). */
  byEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email: email.trim() });
  }

  /** Creates a user, or returns null when the e-mail is taken (in any letter case), even by a concurrent request. */
  async create(data: NewUser): Promise<User | null> {
    const email = data.email.trim();
    if (await this.em.count(User, { email })) return null;
    const user = this.em.create(User, {
      email,
      name: data.name,
      passwordHash: await hashPassword(data.password),
      roles: data.roles ?? [Role.MEMBER],
    });
    this.events?.record('user.registered', { userId: user.id, email: user.email, name: user.name, roles: [...user.roles] });
    try {
      await this.em.flush();
      return user;
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      this.em.clear();
      return null;
    }
  }

  /** Every user, oldest first, by keyset (created_at, id). */
  /** `fields`: what the answer reads of each user (all when absent). */
  async list(page: PageArgs, fields?: readonly string[]): Promise<Connection<User>> {
    // Read-only: a list only answers (its rows are neither changed nor loaded again in the request).
    return findPage(this.em, User, {}, { first: page.first, after: checkCursor(page.after), orderBy: { createdAt: 'asc', id: 'asc' }, readOnly: true, fields });
  }

  async updateProfile(userId: string, input: { name: string }): Promise<User> {
    const name = input.name.trim();
    if (!name) throw badInput('input.name', 'must not be empty');
    const user = await this.byId(userId);
    if (!user) throw notFound('User', userId);
    user.name = name;
    await this.em.flush();
    return user;
  }

  /**
   * Replaces a user's roles. Nobody can remove their own ADMIN role, so the platform can
   * never lose its last administrator by accident. Tokens already issued keep their
   * scopes until they expire; the next refresh carries the new roles.
   */
  async setRoles(caller: Caller, userId: string, roles: Role[]): Promise<User> {
    const wanted = [...new Set(roles)];
    if (!wanted.length) throw badInput('roles', 'must name at least one role');
    if (caller.userId === userId && !wanted.includes(Role.ADMIN)) {
      throw badInput('roles', 'you cannot remove your own ADMIN role (ask another admin)');
    }
    const user = await this.byId(userId);
    if (!user) throw notFound('User', userId);
    user.roles = wanted;
    this.events?.record('user.roles_changed', { userId: user.id, roles: wanted });
    await this.em.flush();
    return user;
  }
}

import { Role, type Logger } from '@atrium/kit';
import { createRecorder, type EntityManager } from '@atrium/kit/subgraph';
import type { IdentityConfig } from '../config';
import { UserService } from './user.service';

/**
 * Creates the first admin from ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD when both are set
 * and no user has that e-mail. Idempotent, and safe when replicas start together (the
 * unique e-mail decides; the losers find it taken). An existing account is left as it is.
 * The password is never logged.
 */
export async function ensureFirstAdmin(em: EntityManager, config: IdentityConfig, log: Logger): Promise<void> {
  const email = config.ATRIUM_ADMIN_EMAIL;
  const password = config.ATRIUM_ADMIN_PASSWORD;
  if (!email && !password) return;
  if (!email || !password) {
    log.warn('set both ATRIUM_ADMIN_EMAIL and ATRIUM_ADMIN_PASSWORD to create the first admin; skipping');
    return;
  }
  // No request caused it: the correlation id says where it came from.
  const users = new UserService(em, createRecorder(em, { producer: 'identity', correlationId: 'bootstrap:first-admin', actorId: null }));
  const existing = await users.byEmail(email);
  if (existing) {
    if (!existing.roles.includes(Role.ADMIN)) log.warn({ email }, 'ATRIUM_ADMIN_EMAIL belongs to an existing user without the ADMIN role; left unchanged');
    return;
  }
  const created = await users.create({ email, password, name: 'Administrator', roles: [Role.ADMIN] });
  if (created) log.info({ email, userId: created.id }, 'created the first admin');
}

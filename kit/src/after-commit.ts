import type { EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';

type Work = () => void | Promise<void>;

/**
 * Work waiting for a transaction to commit, by its root (knex) transaction: savepoints
 * commit nothing by themselves, only the outermost COMMIT does. Weak, so a transaction
 * that never reports its end (a raw knex one) takes its work with it.
 */
const pending = new WeakMap<object, Work[]>();

/** The outermost transaction of `trx` (knex links a savepoint to its parent). */
function rootOf(trx: object): object {
  let current = trx as { parentTransaction?: object };
  while (current.parentTransaction) current = current.parentTransaction as { parentTransaction?: object };
  return current;
}

/** Runs or drops the waiting work when MikroORM reports the end of a root transaction. */
class CommitHooks implements EventSubscriber {
  constructor(private readonly log: Logger) {}

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const work = transaction ? pending.get(transaction) : undefined;
    if (!work) return;
    pending.delete(transaction!);
    for (const run of work) {
      // The change is committed whatever happens here: a failure must not reach the caller.
      try {
        await run();
      } catch (err) {
        this.log.error({ err }, 'work after commit failed');
      }
    }
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) pending.delete(transaction);
  }
}

const tracks = (em: EntityManager) => [...em.getEventManager().getSubscribers()].some((s) => s instanceof CommitHooks);

/**
 * Lets `afterCommit` see the transactions of `orm`. Call once, before any fork exists:
 * each `em.transactional()` clones the event manager of the entity manager it starts from.
 */
export function trackCommits(orm: MikroORM, log: Logger): void {
  if (!tracks(orm.em)) orm.em.getEventManager().registerSubscriber(new CommitHooks(log));
}

/**
 * Runs `work` once the transaction `em` is in commits — never if it rolls back (a whole
 * savepoint-nested transaction counts as one: only the outermost COMMIT makes the change
 * visible). Outside a transaction the change is already committed (call it after the
 * flush), so `work` runs at once and its failure is the caller's; after a commit, a failure
 * is logged and never reaches whoever committed.
 */
export async function afterCommit(em: EntityManager, work: Work): Promise<void> {
  const trx = em.getTransactionContext() as object | undefined;
  if (!trx) return work();
  if (!tracks(em)) throw new Error('afterCommit: the ORM does not report its commits; call trackCommits(orm) at start');
  const root = rootOf(trx);
  const list = pending.get(root) ?? [];
  list.push(work);
  pending.set(root, list);
}

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MemberRepo, NewMember } from '../store/types.ts';

/** Rows per write transaction: large enough to be quick, small enough that the bot keeps answering in between. */
export const IMPORT_BATCH_ROWS = 1_000;

/** An import stopped by a failed write (full disk, locked file) after some batches were stored. */
export class ImportInterruptedError extends Error {
  readonly written: number;
  readonly total: number;
  constructor(written: number, total: number, cause: unknown) {
    super(
      `The import stopped after ${written} of ${total} member(s) were stored: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Importing the same file again is safe (members already stored are updated, not doubled).',
      { cause },
    );
    this.name = 'ImportInterruptedError';
    this.written = written;
    this.total = total;
  }
}

/**
 * Stores an imported roster (of one alliance) batch by batch, each batch one transaction, yielding to the event loop between batches:
 * a 100,000-line import neither holds the database's write lock for long nor stalls a running bot.
 */
export async function addMembersInBatches(
  repo: MemberRepo,
  allianceId: number,
  members: readonly NewMember[],
  batchRows = IMPORT_BATCH_ROWS,
): Promise<{ created: number; updated: number; moved: number }> {
  const total = { created: 0, updated: 0, moved: 0 };
  for (let start = 0; start < members.length; start += batchRows) {
    if (start > 0) await nextTurn();
    try {
      const done = await repo.addMany(allianceId, members.slice(start, start + batchRows));
      total.created += done.created;
      total.updated += done.updated;
      total.moved += done.moved;
    } catch (error) {
      throw new ImportInterruptedError(start, members.length, error);
    }
  }
  return total;
}

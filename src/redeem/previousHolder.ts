import { EVENTS } from '../log/events.ts';
import type { LedgerRow, RunScope, Store } from '../store/types.ts';

const POLL_MS = 100;

/**
 * Calls a previous holder of this (guild, code) may still have in flight, before our first call. Taking the fence
 * stopped it from claiming anyone new, so its pending claims (older fence, our guild) are the whole set; each is done
 * once the answer is journaled (the journal takes even a refused answer), the claim is withdrawn or recorded, its
 * run has ended (a run ends only after its calls come back), or it is older than a call can take (a killed process).
 * Without this, a holder whose key an operator deleted lands its last calls after our first ones: overlapping runs.
 * Returns the milliseconds waited (0 in the usual case: nothing pending).
 */
export async function waitForPreviousHolder(
  deps: { store: Store; log: { info: (fields: object, msg: string) => void } },
  scope: RunScope,
  options: { callTimeoutMs: number; signal: AbortSignal },
): Promise<number> {
  const started = Date.now();
  let waitingFor = await inFlight(deps.store, scope, options.callTimeoutMs);
  if (waitingFor.length === 0) return 0;
  deps.log.info(
    {
      event: EVENTS.runWaitedForPreviousHolder,
      guildId: scope.guildId,
      game: scope.game,
      code: scope.code,
      runId: scope.runId,
      fence: scope.fence,
      calls: waitingFor.length,
    },
    'waiting for calls a previous run still has in flight',
  );
  while (waitingFor.length > 0 && !options.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    waitingFor = await inFlight(deps.store, scope, options.callTimeoutMs);
  }
  return Date.now() - started;
}

async function inFlight(store: Store, scope: RunScope, callTimeoutMs: number): Promise<LedgerRow[]> {
  const now = Date.now();
  const pending = (await store.ledger.listForCode(scope.game, scope.code)).filter(
    (row) =>
      row.status === 'pending' &&
      row.guildId === scope.guildId &&
      row.fence < scope.fence &&
      row.claimedAt !== null &&
      now - row.claimedAt < callTimeoutMs,
  );
  if (pending.length === 0) return [];
  // The latest answer per (player, fence): a retried member's earlier answer does not end its later call.
  const answeredAt = new Map<string, number>();
  for (const entry of await store.journal.listForCode(scope.game, scope.code)) {
    if (entry.guildId !== scope.guildId || entry.fence >= scope.fence) continue;
    const key = `${entry.fid}#${entry.fence}`;
    answeredAt.set(key, Math.max(answeredAt.get(key) ?? 0, entry.at));
  }
  const open: LedgerRow[] = [];
  const runsEnded = new Map<number, boolean>();
  for (const row of pending) {
    if ((answeredAt.get(`${row.fid}#${row.fence}`) ?? -1) >= (row.claimedAt ?? 0)) continue;
    if (row.runId !== null) {
      if (!runsEnded.has(row.runId)) {
        const run = await store.runs.get(row.runId);
        runsEnded.set(row.runId, run !== null && run.outcome !== 'running');
      }
      if (runsEnded.get(row.runId)) continue;
    }
    open.push(row);
  }
  return open;
}

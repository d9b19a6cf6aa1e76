import { EVENTS } from '../log/events.ts';
import type { JournalEntry, LedgerOutcome, LedgerRow, RunScope, Store } from '../store/types.ts';

const POLL_MS = 100;

interface Deps {
  store: Store;
  log: { info: (fields: object, msg: string) => void };
}

/**
 * Calls a previous holder of this (guild, code) may still have in flight, before our first call. Taking the fence
 * stopped it from claiming anyone new, so its pending claims (older fence, our guild) are the whole set; each is done
 * once the answer is journaled (the journal takes even a refused answer), the claim is withdrawn or recorded, its
 * run has ended (a run ends only after its calls come back), or it is older than a call can take (a killed process).
 * Without this, a holder whose key an operator deleted lands its last calls after our first ones: overlapping runs.
 * A SUCCESS or RECEIVED the old holder heard but could not record (its fence was stale) is recorded under ours, so the
 * player is not called again. Returns the milliseconds waited (0 in the usual case: nothing pending).
 */
export async function waitForPreviousHolder(
  deps: Deps,
  scope: RunScope,
  options: { callTimeoutMs: number; signal: AbortSignal },
): Promise<number> {
  const started = Date.now();
  let waitingFor = await inFlight(deps, scope, options.callTimeoutMs);
  if (waitingFor.length === 0) return 0;
  deps.log.info(
    { event: EVENTS.runWaitedForPreviousHolder, ...fieldsOf(scope), calls: waitingFor.length },
    'waiting for calls a previous run still has in flight',
  );
  while (waitingFor.length > 0 && !options.signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    waitingFor = await inFlight(deps, scope, options.callTimeoutMs);
  }
  return Date.now() - started;
}

function fieldsOf(scope: RunScope) {
  return { guildId: scope.guildId, game: scope.game, code: scope.code, runId: scope.runId, fence: scope.fence };
}

/** The older fences' claims still in flight; adopts the final answers of those that came back. */
async function inFlight(deps: Deps, scope: RunScope, callTimeoutMs: number): Promise<LedgerRow[]> {
  const { store } = deps;
  const pending = (await store.ledger.listForCode(scope.game, scope.code)).filter(
    (row) => row.status === 'pending' && row.guildId === scope.guildId && row.fence < scope.fence,
  );
  if (pending.length === 0) return [];
  const answers = latestAnswers(await store.journal.listForCode(scope.game, scope.code), scope);
  const now = Date.now();
  const open: LedgerRow[] = [];
  const runsEnded = new Map<number, boolean>();
  let adopted = 0;
  for (const row of pending) {
    const answer = answers.get(`${row.fid}#${row.fence}`);
    if (answer && answer.at >= (row.claimedAt ?? 0)) {
      const outcome = finalOutcomeOf(answer);
      if (outcome && (await store.ledger.record(scope, row.fid, outcome)) === 'recorded') adopted += 1;
      continue;
    }
    if (row.claimedAt === null || now - row.claimedAt >= callTimeoutMs) continue;
    if (row.runId !== null) {
      if (!runsEnded.has(row.runId)) {
        const run = await store.runs.get(row.runId);
        runsEnded.set(row.runId, run !== null && run.outcome !== 'running');
      }
      if (runsEnded.get(row.runId)) continue;
    }
    open.push(row);
  }
  if (adopted > 0) {
    deps.log.info(
      { event: EVENTS.answersAdopted, ...fieldsOf(scope), answers: adopted },
      'answers an earlier run heard but could not record are recorded by this run',
    );
  }
  return open;
}

/** The latest answer per (player, fence) of older fences: a retried member's earlier answer does not end its later call. */
function latestAnswers(entries: readonly JournalEntry[], scope: RunScope): Map<string, JournalEntry> {
  const latest = new Map<string, JournalEntry>();
  for (const entry of entries) {
    if (entry.guildId !== scope.guildId || entry.fence >= scope.fence) continue;
    const key = `${entry.fid}#${entry.fence}`;
    if ((latest.get(key)?.at ?? -1) <= entry.at) latest.set(key, entry);
  }
  return latest;
}

/** SUCCESS and RECEIVED / SAME TYPE as applyAnswer records them; anything else is called again. */
function finalOutcomeOf(entry: JournalEntry): LedgerOutcome | null {
  const raw = { errCode: entry.errCode, msg: entry.msg };
  if (entry.kind === 'success') return { status: 'success', reason: null, ...raw };
  if (entry.kind === 'already-redeemed')
    return { status: 'already', reason: entry.errCode === 40011 ? 'same-type' : 'received', ...raw };
  return null;
}

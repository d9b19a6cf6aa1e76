import { pacedCall, spacingWait, type PacedCallResult } from '../game/pacedCall.ts';
import { EVENTS } from '../log/events.ts';
import { PRIORITY } from '../pacing/rateBudget.ts';
import type { MemberRecord } from '../store/types.ts';
import { applyAnswer, PROBE_HOLD_GRACE_MS } from './applyAnswer.ts';
import { provesCodeExists } from './probeGate.ts';
import { codeDiedElsewhere, journalAnswer, noteStop, setOutcome, stopRun, type RunContext } from './runContext.ts';

/** How long a member waits when another alliance's run is calling the same player right now. */
const CLAIMED_ELSEWHERE_WAIT_MS = 5_000;
/** How often a member waiting behind another member's probe looks at the gate again (no call is made to look). */
const HELD_GATE_POLL_MS = 250;

/**
 * One member's turn: claim the ledger row under the run's fence, pass the probe gate, make the paced call, apply the
 * answer. A member who cannot be called now goes back to the queue, with a delay when there is a reason to wait.
 */
export async function callMember(run: RunContext, member: MemberRecord): Promise<void> {
  const { deps, queue } = run;
  const wait = spacingWait(deps.spacing, run.game, member.fid);
  if (wait > 0) {
    queue.push(member, performance.now() + wait);
    return;
  }
  // Another member's probe got "retry later" and keeps the gate until its retry: a dead code costs one call.
  const held = run.codeProven ? 0 : deps.probeGates.heldFor(run.codeKey, member.fid, performance.now());
  if (held > 0) {
    queue.push(member, performance.now() + Math.min(held, HELD_GATE_POLL_MS));
    return;
  }
  // The lock must still be ours before the claim is written (and again right before the call).
  if (noteStop(run) || (await codeDiedElsewhere(run))) {
    queue.push(member);
    return;
  }
  const claim = await deps.store.ledger.claim(run.scope, member.fid);
  if (claim === 'stale-fence') {
    deps.log.error(
      { event: EVENTS.staleFence, ...run.logFields, fid: member.fid, stage: 'claim' },
      'claim refused: a newer run owns this code now; stopping',
    );
    stopRun(run, { kind: 'stale-fence' });
    deps.listener.lockEvent('stale-fence');
    queue.push(member);
    return;
  }
  if (claim === 'final') {
    const row = await deps.store.ledger.get(run.game, member.fid, run.code);
    setOutcome(run, member, {
      outcome: 'skipped',
      reason: 'already-final',
      errCode: row?.errCode ?? null,
      msg: row?.msg ?? null,
      attempts: run.attempts.get(member.fid) ?? 0,
    });
    return;
  }
  if (claim === 'claimed-elsewhere') {
    // Another alliance's run is calling this player right now; its result will count for this one too.
    queue.push(member, performance.now() + CLAIMED_ELSEWHERE_WAIT_MS);
    return;
  }

  const attempt = (run.attempts.get(member.fid) ?? 0) + 1;
  run.attempts.set(member.fid, attempt);
  const result = await gatedCall(run, member);
  if (!result.sent) {
    // Nothing was sent: the claim is withdrawn, so the row does not read as a call that may have reached the game
    // (which would hold other alliances' runs off this player, and count an attempt never made).
    await deps.store.ledger.unclaim(run.scope, member.fid);
    if (attempt > 1) run.attempts.set(member.fid, attempt - 1);
    else run.attempts.delete(member.fid);
    queue.push(member);
    return;
  }
  await applyAnswer(run, member, attempt, result);
}

/** The call, through the probe gate while the code is unproven. Waiting there, another probe may stop the run. */
async function gatedCall(run: RunContext, member: MemberRecord): Promise<PacedCallResult> {
  const { probeGates } = run.deps;
  if (run.codeProven) return callOnce(run, member);
  const gated = await probeGates.exclusive(run.codeKey, async () => {
    // Another run's probe may have settled the code while this one waited: then the call is made outside the gate,
    // or every worker of every run queued here would call one after another.
    if (probeGates.isProven(run.codeKey)) return 'proven' as const;
    if (run.stop || (await codeDiedElsewhere(run))) return { sent: false, why: 'stopped' } as const;
    // Two members may pass callMember's check at once; only the holder of a retry-later probe calls.
    if (probeGates.heldFor(run.codeKey, member.fid, performance.now()) > 0)
      return { sent: false, why: 'refused' } as const;
    return callOnce(run, member);
  });
  if (gated !== 'proven') return gated;
  run.codeProven = true;
  return callOnce(run, member);
}

async function callOnce(run: RunContext, member: MemberRecord): Promise<PacedCallResult> {
  const { deps, game } = run;
  const result = await pacedCall(deps, {
    game,
    fid: member.fid,
    kid: member.state!,
    code: run.code,
    priority: PRIORITY.redeem,
    signal: run.signal,
    // Alliances take turns for slots: one started later is not queued behind another's whole set of workers.
    share: `guild:${run.guildId}`,
    // The lock must still be ours, by the monotonic deadline, right before the call.
    mayCall: () => !noteStop(run),
    // …and asked of Redis itself: an operator's DEL or SET of the key is seen before the call, not at the next renewal.
    confirm: () => run.handle.confirm(),
  });
  if (!result.sent) {
    noteStop(run);
    return result;
  }
  const { answer, classification } = result;
  run.apiCalls += 1;
  await journalAnswer(run, member, answer, classification);
  deps.listener.apiCall({
    game,
    httpStatus: answer.httpStatus,
    durationMs: answer.durationMs,
    kind: classification.kind,
    reason: 'reason' in classification ? classification.reason : null,
  });
  if (provesCodeExists(classification)) {
    run.codeProven = true;
    deps.probeGates.markProven(run.codeKey);
  }
  // Still inside the gate: hold it for this member before the next waiting worker gets in (applyAnswer sets the
  // exact retry time).
  if (classification.kind === 'retry-later' && !run.codeProven)
    deps.probeGates.hold(run.codeKey, member.fid, performance.now() + classification.delayMs + PROBE_HOLD_GRACE_MS);
  // Stop at once, inside the gate, so no waiting worker sends another call for a dead code.
  if (classification.kind === 'code-final') stopRun(run, { kind: 'code-final', classification });
  // A params error may be one member's data: applyAnswer decides (retry once; a second member stops the run).
  if (classification.kind === 'config-error' && classification.reason !== 'params-error')
    stopRun(run, { kind: 'config-error', classification });
  return result;
}

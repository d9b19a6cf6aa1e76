import type { ApiAnswer } from '../game/apiAnswer.ts';
import type { Classification } from '../game/classifyAnswer.ts';
import { codeStatusFor } from '../game/codeStatus.ts';
import { EVENTS } from '../log/events.ts';
import { retryDelayMs } from '../pacing/retryPolicy.ts';
import type { MemberRecord } from '../store/types.ts';
import { recordOutcome, reportProgress, setOutcome, stopRun, type RunContext } from './runContext.ts';

/**
 * `params error` for one member: retried once, after a pause; the same member again is left (not final: it may be
 * ours). Returns false when the run must stop instead: a second, different member got it too.
 */
async function paramsErrorOfOneMember(
  run: RunContext,
  member: MemberRecord,
  attempt: number,
  raw: { errCode: number | null; msg: string | null },
  callFields: object,
): Promise<boolean> {
  const { deps, queue } = run;
  const others = [...run.paramsErrorFids].filter((fid) => fid !== member.fid);
  if (others.length > 0) return false;
  if (!(await recordOutcome(run, member, { status: 'retry', reason: 'params-error', ...raw }))) return true;
  if (run.paramsErrorFids.has(member.fid)) {
    setOutcome(run, member, { outcome: 'failed', reason: 'params-error', ...raw, attempts: attempt });
    deps.log.warn(
      { event: EVENTS.memberResult, ...callFields, outcome: 'failed', reason: 'params-error' },
      'params error twice for this member: left for a later run',
    );
    deps.listener.memberOutcome({ game: run.game, outcome: 'failed' });
    return true;
  }
  run.paramsErrorFids.add(member.fid);
  const delay = retryDelayMs(deps.retry, attempt, 0);
  deps.log.info(
    { event: EVENTS.memberRetry, ...callFields, reason: 'params-error', delayMs: delay },
    'params error for one member: retried once',
  );
  queue.push(member, performance.now() + delay);
  return true;
}

/** How long past its retry time a probe keeps the gate: enough for a worker to pick it up and call. */
export const PROBE_HOLD_GRACE_MS = 5_000;

/**
 * What one answer means for the member, the ledger and the run: a final row (success, already, failed), a dead code
 * (marked, the run stops), a configuration error (the run stops), or a retry later (with back-off, until the
 * retry policy gives up on the member for this run).
 */
export async function applyAnswer(
  run: RunContext,
  member: MemberRecord,
  attempt: number,
  result: { answer: ApiAnswer; classification: Classification },
): Promise<void> {
  const { deps, game, queue } = run;
  const { answer, classification } = result;
  const raw = { errCode: classification.errCode, msg: classification.msg };
  const callFields = {
    ...run.logFields,
    fid: member.fid,
    attempt,
    httpStatus: answer.httpStatus,
    err_code: classification.errCode,
    err_msg: classification.msg,
    durationMs: Math.round(answer.durationMs),
  };
  deps.log.debug({ event: EVENTS.apiCall, ...callFields, kind: classification.kind }, 'api call');

  switch (classification.kind) {
    case 'success':
    case 'already-redeemed':
    case 'member-final': {
      const status =
        classification.kind === 'success'
          ? 'success'
          : classification.kind === 'already-redeemed'
            ? 'already'
            : 'failed';
      const reason = classification.kind === 'success' ? null : classification.reason;
      if (!(await recordOutcome(run, member, { status, reason, ...raw }))) return;
      if (classification.kind === 'member-final' && classification.reason === 'wrong-state')
        await deps.store.members.flagWrongState(game, member.fid);
      setOutcome(run, member, { outcome: status, reason, ...raw, attempts: attempt });
      deps.log.info({ event: EVENTS.memberResult, ...callFields, outcome: status, reason }, 'member result');
      deps.listener.memberOutcome({ game, outcome: status });
      break;
    }
    case 'code-final': {
      // Not the member's fault: the row stays open, the code is marked, and the whole run stops. The member was
      // called, so the summary says their call failed on the dead code (the others are "not called").
      await recordOutcome(run, member, { status: 'retry', reason: `code-${classification.reason}`, ...raw });
      setOutcome(run, member, {
        outcome: 'failed',
        reason: `code-${classification.reason}`,
        ...raw,
        attempts: attempt,
      });
      const status = codeStatusFor(classification.reason);
      await deps.store.codes.setStatus(game, run.code, status, raw);
      deps.log.warn(
        { event: EVENTS.codeInvalidated, ...callFields, status, reason: classification.reason },
        'code invalidated: stopping the run',
      );
      stopRun(run, { kind: 'code-final', classification });
      break;
    }
    case 'config-error': {
      if (
        classification.reason === 'params-error' &&
        (await paramsErrorOfOneMember(run, member, attempt, raw, callFields))
      )
        break;
      await recordOutcome(run, member, { status: 'retry', reason: classification.reason, ...raw });
      deps.log.error(
        { event: EVENTS.configError, ...callFields, reason: classification.reason },
        'the game API refused our request as malformed: stopping the run',
      );
      stopRun(run, { kind: 'config-error', classification });
      queue.push(member);
      break;
    }
    case 'retry-later': {
      if (classification.reason === 'rate-limited') run.rateLimited += 1;
      if (answer.transportError?.kind === 'aborted') {
        await recordOutcome(run, member, { status: 'retry', reason: 'aborted', ...raw });
        queue.push(member);
        break;
      }
      if (!(await recordOutcome(run, member, { status: 'retry', reason: classification.reason, ...raw }))) return;
      if (attempt >= deps.retry.maxAttempts) {
        // Given up for this run: another member may probe the code now.
        deps.probeGates.release(run.codeKey, member.fid);
        setOutcome(run, member, {
          outcome: 'retry-exhausted',
          reason: classification.reason,
          ...raw,
          attempts: attempt,
        });
        deps.log.warn(
          { event: EVENTS.memberResult, ...callFields, outcome: 'retry-exhausted', reason: classification.reason },
          'member left for a later run',
        );
        deps.listener.memberOutcome({ game, outcome: 'retry-exhausted' });
        break;
      }
      const delay = retryDelayMs(deps.retry, attempt, classification.delayMs);
      // The game has not looked at the code yet: this member keeps the probe gate until its retry (plus its spacing).
      if (!run.codeProven)
        deps.probeGates.hold(run.codeKey, member.fid, performance.now() + delay + PROBE_HOLD_GRACE_MS);
      deps.log.info(
        { event: EVENTS.memberRetry, ...callFields, reason: classification.reason, delayMs: delay },
        'member will be retried',
      );
      queue.push(member, performance.now() + delay);
      break;
    }
  }
  reportProgress(run);
}

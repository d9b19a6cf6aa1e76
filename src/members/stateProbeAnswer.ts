import type { ApiAnswer } from '../game/apiAnswer.ts';
import type { Classification } from '../game/classifyAnswer.ts';
import { EVENTS } from '../log/events.ts';
import { retryDelayMs } from '../pacing/retryPolicy.ts';
import type { SearchTask } from './planStateSearch.ts';
import { t } from '../i18n/i18n.ts';
import { finishMember, type SearchRun, type SearchWhy } from './searchRun.ts';

/** What one probe's answer says about the member's state. */
export async function applyProbeAnswer(
  run: SearchRun,
  task: SearchTask,
  kid: number,
  answer: ApiAnswer,
  c: Classification,
): Promise<void> {
  const { deps, game, alliance } = run;
  const fid = task.member.fid;
  deps.log.debug(
    {
      event: EVENTS.stateProbe,
      guildId: alliance.guildId,
      game,
      fid,
      kid,
      httpStatus: answer.httpStatus,
      err_code: c.errCode,
      err_msg: c.msg,
      kind: c.kind,
    },
    'state probe',
  );
  if (c.kind === 'retry-later') {
    busyAnswer(run, task, kid, answer, c);
    return;
  }
  if (c.kind === 'config-error') {
    run.configError = c;
    run.stop.abort(new Error('config-error'));
    run.queue.push(task);
    deps.log.error(
      { event: EVENTS.configError, guildId: alliance.guildId, game, fid, reason: c.reason, err_msg: c.msg },
      'the game API refused a state probe as malformed: stopping state discovery',
    );
    return;
  }
  if (c.kind === 'member-final' && c.reason === 'wrong-state') {
    await wrongState(run, task, kid, c);
    return;
  }
  if (c.kind === 'member-final' && c.reason === 'no-such-player') {
    deps.log.warn(
      { event: EVENTS.statePlayerMissing, guildId: alliance.guildId, game, fid, err_code: c.errCode, err_msg: c.msg },
      'the game knows no such player',
    );
    finishMember(run, task, 'no-such-player', null, {
      key: 'noSuchPlayer',
      vars: { detail: c.msg ?? 'role not exist' },
    });
    return;
  }
  // Anything else (CDK NOT FOUND, as expected, or any code-level answer) comes after the game accepted the player
  // with this state.
  await memberFound(run, task, kid);
}

/** Busy, throttled or lost: no verdict about the state. Try the same state again later. */
function busyAnswer(
  run: SearchRun,
  task: SearchTask,
  kid: number,
  answer: ApiAnswer,
  c: Extract<Classification, { kind: 'retry-later' }>,
): void {
  run.transient += 1;
  if (c.reason === 'rate-limited') run.rateLimited += 1;
  if (answer.transportError?.kind === 'aborted' || run.signal.aborted) {
    run.queue.push(task);
    return;
  }
  task.transient += 1;
  if (task.transient >= run.retry.maxAttempts) {
    finishMember(run, task, 'unresolved', null, { key: 'busy', vars: { detail: c.msg ?? c.reason, state: kid } });
    return;
  }
  run.queue.push(task, performance.now() + retryDelayMs(run.retry, task.transient, c.delayMs));
}

/** The game refused this state: rule it out and try the next, or give up once every candidate is ruled out. */
async function wrongState(run: SearchRun, task: SearchTask, kid: number, c: Classification): Promise<void> {
  const { deps, game, alliance } = run;
  const fid = task.member.fid;
  await deps.store.wrongStates.record(game, fid, kid, { errCode: c.errCode, msg: c.msg });
  task.ruledOut += 1;
  task.next += 1;
  if (task.next < task.candidates.length) {
    run.queue.push(task);
    return;
  }
  // The game answers USER INFO ERROR (40020) for a wrong state and also for an id it does not know: after the
  // bounded search, the id is as likely wrong as the state. The member is no longer "wrong state" (which every
  // run would report and a restart would search again): its state becomes unknown until an admin sets one.
  const why: SearchWhy = {
    key: 'noneAccepted',
    vars: { ruledOut: task.ruledOut, range: run.range, centre: alliance.defaultState ?? '-' },
  };
  const reason = t('en', `stateSearch.why.${why.key}`, why.vars);
  await deps.store.members.setState(alliance.guildId, fid, null, 'unknown');
  deps.log.warn(
    {
      event: EVENTS.stateNotFound,
      guildId: alliance.guildId,
      game,
      fid,
      ruledOut: task.ruledOut,
      probes: task.probes,
      reason,
    },
    'no state matches this id',
  );
  finishMember(run, task, 'not-found', null, why);
}

async function memberFound(run: SearchRun, task: SearchTask, state: number): Promise<void> {
  const { store, log } = run.deps;
  const { game, alliance } = run;
  const fid = task.member.fid;
  // The state belongs to the player: fix every roster entry of theirs in this game, not only this alliance's.
  const servers = new Set((await store.alliances.list({ game })).map((other) => other.guildId));
  for (const guildId of servers) {
    const entry = guildId === alliance.guildId ? task.member : await store.members.get(guildId, fid);
    if (entry && entry.game === game && (entry.state !== state || entry.stateStatus !== 'ok'))
      await store.members.setState(guildId, fid, state, 'ok');
  }
  const reopened = await store.ledger.reopenWrongState(game, fid);
  await store.wrongStates.clear(game, fid);
  log.info(
    {
      event: EVENTS.stateFound,
      guildId: alliance.guildId,
      game,
      fid,
      state,
      previousState: task.member.state,
      probes: task.probes,
      reopened,
    },
    'state found',
  );
  finishMember(run, task, 'found', state, null);
  run.catchUp.add(fid);
}

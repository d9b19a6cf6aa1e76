import { codeStatusFor, type CodeStatus } from '../game/codeStatus.ts';
import type { Game } from '../game/games.ts';
import { pacedCall } from '../game/pacedCall.ts';
import { PRIORITY } from '../pacing/rateBudget.ts';
import type { AllianceRecord } from '../store/types.ts';
import type { CodesDeps } from './codesDeps.ts';
import type { TestPlayer } from './testPlayer.ts';
import type { GiftCode } from '../game/giftCode.ts';

export type ValidationVia = 'test-player' | 'member';

export type ValidationOutcome =
  | { kind: 'valid'; via: ValidationVia; fid: string }
  | { kind: 'dead'; status: CodeStatus; via: ValidationVia; fid: string; errCode: number | null; msg: string | null }
  /** No answer that says either way (server busy, timeouts, the run was already active): try again later. */
  | { kind: 'inconclusive'; reason: string; delayMs: number }
  /** No test player and no member with a usable state in any auto-redeem alliance of the game. */
  | { kind: 'nobody' }
  /** The API refused the request as malformed (sign, params): an operator must act. */
  | { kind: 'config-error'; reason: string; msg: string | null }
  | { kind: 'stopped' };

export interface ValidateDeps extends CodesDeps {
  testPlayer: TestPlayer | undefined;
  /** Auto-redeem alliances of the game, in fan-out order: their members are the fallback test accounts. */
  alliances: readonly AllianceRecord[];
  signal: AbortSignal;
  /** Called right before the first redemption call for the code is made (or the member run that makes it starts). */
  onCall: (via: ValidationVia) => void;
  /** The test player answered as if it does not exist in its state (misconfigured): told once, then members are used. */
  onTestPlayerUnusable: (reason: string) => void;
}

/** Members tried one after another when the first cannot tell (wrong state, unknown player). */
const MAX_MEMBER_PROBES = 3;

/**
 * One check of a new code, for every alliance at once: on the configured test player, else through the engine on the
 * first member with a known state (so that member's result is in the ledger and never redeemed twice).
 */
export async function validateCode(deps: ValidateDeps, game: Game, code: GiftCode): Promise<ValidationOutcome> {
  if (deps.testPlayer) {
    const outcome = await onTestPlayer(deps, deps.testPlayer, game, code);
    if (outcome) return outcome;
  }
  return onMember(deps, game, code);
}

/** Returns null when the test player cannot say (it is misconfigured): members are tried instead. */
async function onTestPlayer(
  deps: ValidateDeps,
  player: TestPlayer,
  game: Game,
  code: GiftCode,
): Promise<ValidationOutcome | null> {
  const { store } = deps;
  const result = await pacedCall(deps, {
    game,
    fid: player.fid,
    kid: player.state,
    code,
    priority: PRIORITY.validation,
    signal: deps.signal,
    abortInFlight: true,
    onCall: () => deps.onCall('test-player'),
  });
  if (!result.sent || result.answer.transportError?.kind === 'aborted') return { kind: 'stopped' };
  const c = result.classification;
  const raw = { errCode: c.errCode, msg: c.msg };
  switch (c.kind) {
    case 'success':
    case 'already-redeemed':
      await store.codes.setStatus(game, code, 'valid', raw);
      return { kind: 'valid', via: 'test-player', fid: player.fid };
    case 'member-final':
      if (c.reason === 'wrong-state' || c.reason === 'no-such-player') {
        deps.onTestPlayerUnusable(
          `${c.msg ?? c.reason} (${c.errCode ?? '-'}): check TEST_PLAYER_${game.toUpperCase()}`,
        );
        return null;
      }
      // Furnace level, spend or VIP requirements: the game found the code.
      await store.codes.setStatus(game, code, 'valid', raw);
      return { kind: 'valid', via: 'test-player', fid: player.fid };
    case 'code-final': {
      const status = codeStatusFor(c.reason);
      await store.codes.setStatus(game, code, status, raw);
      return { kind: 'dead', status, via: 'test-player', fid: player.fid, ...raw };
    }
    case 'config-error':
      return { kind: 'config-error', reason: c.reason, msg: c.msg };
    case 'retry-later':
      return { kind: 'inconclusive', reason: `${c.reason}${c.msg ? ` (${c.msg})` : ''}`, delayMs: c.delayMs };
  }
}

async function onMember(deps: ValidateDeps, game: Game, code: GiftCode): Promise<ValidationOutcome> {
  const { store } = deps;
  let probes = 0;
  for (const alliance of deps.alliances) {
    const members = (await store.members.list(alliance.guildId, { allianceIds: [alliance.id] })).filter(
      (m) => m.state !== null && m.stateStatus !== 'wrong',
    );
    const final = await store.ledger.finalFids(
      game,
      code,
      members.map((m) => m.fid),
    );
    for (const member of members) {
      if (final.has(member.fid)) continue;
      if (deps.signal.aborted || probes >= MAX_MEMBER_PROBES)
        return deps.signal.aborted
          ? { kind: 'stopped' }
          : { kind: 'inconclusive', reason: `${probes} members could not be used to check the code`, delayMs: 0 };
      probes += 1;
      const summary = await deps.engine.processAutoRedeem(alliance.guildId, code, {
        trigger: 'validate',
        game,
        allianceIds: [alliance.id],
        fids: [member.fid],
        onStart: () => deps.onCall('member'),
      });
      // What the run learnt of the code is in its summary: no second read of the code's row.
      const verdict = summary.codeVerdict;
      if (verdict?.kind === 'live') return { kind: 'valid', via: 'member', fid: member.fid };
      if (verdict?.kind === 'dead')
        return {
          kind: 'dead',
          status: verdict.status,
          via: 'member',
          fid: member.fid,
          errCode: verdict.errCode,
          msg: verdict.msg,
        };
      switch (summary.status) {
        case 'config-error':
          return { kind: 'config-error', reason: 'config-error', msg: summary.message };
        case 'refused':
        case 'completed': {
          const outcome = summary.members.find((m) => m.fid === member.fid);
          // This member could not tell (wrong state, unknown player, skipped): the next one may.
          if (!outcome || outcome.outcome === 'failed' || outcome.outcome === 'skipped') continue;
          return {
            kind: 'inconclusive',
            reason: `member ${member.fid}: ${outcome.outcome}${outcome.reason ? ` (${outcome.reason})` : ''}`,
            delayMs: 0,
          };
        }
        case 'aborted':
          if (deps.shutdownSignal.aborted) return { kind: 'stopped' };
          return { kind: 'inconclusive', reason: summary.message, delayMs: 0 };
        default:
          // duplicate (a run for this code is active in that alliance), deferred (lock service down), failed.
          return { kind: 'inconclusive', reason: `${summary.status}: ${summary.message}`, delayMs: 0 };
      }
    }
  }
  return probes === 0
    ? { kind: 'nobody' }
    : { kind: 'inconclusive', reason: `${probes} member(s) could not be used to check the code`, delayMs: 0 };
}

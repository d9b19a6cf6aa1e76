import { setTimeout as sleep } from 'node:timers/promises';
import type { Game } from '../game/games.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { EVENTS } from '../log/events.ts';
import { retryDelayMs, type RetryPolicy } from '../pacing/retryPolicy.ts';
import type { CodesDeps } from './codesDeps.ts';
import type { TestPlayer } from './testPlayer.ts';
import { validateCode, type ValidationVia } from './validateCode.ts';

/** What the one check said: `unchecked` when it could not tell yet (nobody to test on, or the API did not answer). */
export type Verdict = 'valid' | 'dead' | 'unchecked';

/** What the check needs from the intake (the intake's own state satisfies it). */
export interface CheckDeps {
  deps: CodesDeps;
  testPlayers: Partial<Record<Game, TestPlayer>>;
  /** Waits between checks that could not tell. */
  validationRetry: RetryPolicy;
  /** Ends the waits: the intake's stop() or the process shutdown. */
  signal: AbortSignal;
  /** Games whose test player answered as misconfigured: members check their codes instead. */
  unusableTestPlayers: Set<Game>;
}

/** The code being checked, and how the check tells the intake about it. */
export interface CheckedCode {
  game: Game;
  code: GiftCode;
  /** Where the code came from, for the logs. */
  source: string;
  /** Each call to the game: the intake logs the first one's latency. */
  onCall: (via: ValidationVia) => void;
  /** A check could not tell: whoever waits for a verdict hears "unchecked" now rather than after the retries. */
  onInconclusive: () => void;
}

/**
 * Checks a new code once, on the test player or a member, before any alliance runs it: again and again while the
 * game cannot tell (busy, unreachable), until it answers, the intake stops or the process shuts down.
 */
export async function validateWithRetry(
  intake: CheckDeps,
  entry: CheckedCode,
): Promise<Verdict | 'config-error' | 'stopped'> {
  const { deps, signal, unusableTestPlayers, testPlayers } = intake;
  const { store, log } = deps;
  const { game, code } = entry;
  const known = await store.codes.get(game, code);
  if (known?.status === 'valid') return 'valid';
  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) return 'stopped';
    const testPlayer = unusableTestPlayers.has(game) ? undefined : testPlayers[game];
    const alliances = await store.alliances.list({ game, autoRedeem: true });
    const outcome = await validateCode(
      {
        ...deps,
        testPlayer,
        alliances,
        signal,
        onCall: entry.onCall,
        onTestPlayerUnusable: (reason) => {
          unusableTestPlayers.add(game);
          log.warn(
            { event: EVENTS.codeValidated, game, code, result: 'test-player-unusable', reason },
            'the test player cannot check codes; members are used instead',
          );
        },
      },
      game,
      code,
    );
    const ctx = { event: EVENTS.codeValidated, game, code, source: entry.source, attempt };
    switch (outcome.kind) {
      case 'valid':
        log.info({ ...ctx, result: 'valid', via: outcome.via, fid: outcome.fid }, `${code} is valid`);
        return 'valid';
      case 'dead':
        log.warn(
          {
            ...ctx,
            result: outcome.status,
            via: outcome.via,
            fid: outcome.fid,
            err_code: outcome.errCode,
            err_msg: outcome.msg,
          },
          `${code} is ${outcome.status}: no alliance will run it`,
        );
        return 'dead';
      case 'nobody':
        log.info(
          { ...ctx, result: 'unchecked', reason: 'no test player and no member with a known state' },
          `${code} could not be checked first: nobody to check it on`,
        );
        return 'unchecked';
      case 'config-error':
        log.error(
          { ...ctx, result: 'config-error', reason: outcome.reason, err_msg: outcome.msg },
          'the game refused the check as malformed: the fan-out waits for the configuration to be fixed (and a restart)',
        );
        return 'config-error';
      case 'stopped':
        return 'stopped';
      case 'inconclusive': {
        // Channel posts and the CLI should not wait for a slow API: they hear "not checked yet" now.
        entry.onInconclusive();
        const delay = retryDelayMs(intake.validationRetry, attempt, outcome.delayMs);
        log.info(
          { ...ctx, result: 'inconclusive', reason: outcome.reason, retryInMs: delay },
          `${code} could not be checked yet; trying again`,
        );
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          return 'stopped';
        }
      }
    }
  }
}

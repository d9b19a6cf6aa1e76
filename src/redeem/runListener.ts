import type { Classification } from '../game/classifyAnswer.ts';
import type { Game } from '../game/games.ts';
import type { Language } from '../i18n/languages.ts';
import type { Logger } from '../log/logger.ts';
import { EVENTS } from '../log/events.ts';
import type { RunTrigger } from './redeemOptions.ts';
import type { RunProgress, RunSummary } from './runSummary.ts';

/** A run that holds its locks and is about to call: what a listener needs to show it. */
export interface RunStart {
  guildId: string;
  game: Game;
  code: string;
  trigger: RunTrigger;
  runId: number;
  total: number;
  /** The alliances the run covers: each one's progress and summary go to its own results channel. */
  alliances: {
    allianceId: number;
    name: string;
    resultChannelId: string | null;
    /** The language of the alliance's posts; null: the server's. */
    language: Language | null;
  }[];
}

/**
 * Who watches runs from outside the engine: the results-channel reporter (Discord) and the metrics (Prometheus). The
 * engine is built with its listeners, so every run it starts — triggered, rerun or deferred — is seen; nothing
 * decorates the engine afterwards. Every method is optional and synchronous; a listener that throws is logged and
 * ignored (a display must never stop a run).
 */
export interface RunListener {
  runStarted?(run: RunStart): void;
  runProgress?(run: RunStart, progress: RunProgress): void;
  /** Every processAutoRedeem call, whatever its status (duplicate, refused and deferred included). */
  runEnded?(summary: RunSummary): void;
  /** One answer (or transport failure) from the game API. */
  apiCall?(call: {
    game: Game;
    httpStatus: number;
    durationMs: number;
    kind: Classification['kind'];
    reason: string | null;
  }): void;
  /** A member's result for this run: the same outcomes the run summary counts. */
  memberOutcome?(result: { game: Game; outcome: 'success' | 'already' | 'failed' | 'retry-exhausted' }): void;
  /** A second trigger refused while a run of the same (guild, code) is active. */
  duplicateRefused?(info: { game: Game; layer: 'local' | 'redis' }): void;
  lockEvent?(event: 'acquired' | 'released' | 'busy' | 'unavailable' | 'lost' | 'stale-fence'): void;
}

type Events = { [K in keyof RunListener]-?: Parameters<NonNullable<RunListener[K]>> };

/** One listener that tells each of `listeners` in turn, isolating their failures. */
export function fanOutListeners(listeners: readonly RunListener[], log: Logger): Required<RunListener> {
  const tell =
    <K extends keyof RunListener>(name: K) =>
    (...args: Events[K]): void => {
      for (const listener of listeners) {
        const method = listener[name] as ((...a: Events[K]) => void) | undefined;
        if (!method) continue;
        try {
          method.apply(listener, args);
        } catch (error) {
          log.warn(
            { event: EVENTS.runListenerFailed, listener: name, err: error },
            'a run listener failed; the run goes on',
          );
        }
      }
    };
  return {
    runStarted: tell('runStarted'),
    runProgress: tell('runProgress'),
    runEnded: tell('runEnded'),
    apiCall: tell('apiCall'),
    memberOutcome: tell('memberOutcome'),
    duplicateRefused: tell('duplicateRefused'),
    lockEvent: tell('lockEvent'),
  };
}

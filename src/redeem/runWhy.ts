import type { FinalCodeStatus } from '../game/codeStatus.ts';

/**
 * Why a run stopped, or did not run at all, as data: a catalogue key under `summary.because.` and its values, so a
 * Discord embed can say it in any language. The engine's `message` keeps the English sentence (CLI, logs).
 */
export type WhyKey =
  | `stop.codeFinal.${FinalCodeStatus}`
  | 'stop.configError'
  | 'stop.lockLost'
  | 'stop.staleFence'
  | 'stop.shutdown'
  | 'stop.serverLeft'
  | `refused.dead.${FinalCodeStatus}`
  | 'refused.departed'
  | ScopeWhyKey
  | 'failed'
  | 'duplicate.queued'
  | 'duplicate.here'
  | 'duplicate.elsewhere'
  | 'deferred';

/** Why no alliance scope could be resolved (allianceScope.ts). */
export type ScopeWhyKey =
  | 'refused.noAlliance'
  | 'refused.noneNamed'
  | 'refused.missing'
  | 'refused.wrongGame'
  | 'refused.mixedGames'
  | 'refused.bothGames'
  | 'refused.noGameAlliance';

export interface RunWhy<K extends WhyKey = WhyKey> {
  key: K;
  /** The sentence's values (`count` for a plural one). */
  vars: Record<string, string | number>;
}

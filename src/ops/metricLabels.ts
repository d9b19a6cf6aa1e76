import { readFileSync } from 'node:fs';
import type { ClassificationKind } from '../game/classifyAnswer.ts';
import type { RunStatus } from '../redeem/runSummary.ts';

/**
 * The label values each counter can take, so every series is exported at 0 from the first scrape: a dashboard's
 * rate() and an alert on "failed > 0" need the series to exist before its first event.
 */
export const MEMBER_OUTCOMES = ['success', 'already', 'failed', 'retry-exhausted'] as const;
export const ANSWER_KINDS = [
  'success',
  'already-redeemed',
  'member-final',
  'code-final',
  'retry-later',
  'config-error',
] as const satisfies readonly ClassificationKind[];
export const RUN_STATUSES = [
  'completed',
  'duplicate',
  'code-invalid',
  'config-error',
  'refused',
  'deferred',
  'aborted',
  'failed',
] as const satisfies readonly RunStatus[];
export const LOCK_LAYERS = ['local', 'redis'] as const;
export const LOCK_EVENTS = ['acquired', 'released', 'busy', 'unavailable', 'lost', 'stale-fence'] as const;
export const FEED_OUTCOMES = ['ok', 'not-modified', 'failed'] as const;

/** giftbot's version for giftbot_build_info: package.json's, or "unknown" where it is missing. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

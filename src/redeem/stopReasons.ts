import type { Classification } from '../game/classifyAnswer.ts';
import { codeStatusFor, deadCodeStopSentence } from '../game/codeStatus.ts';
import type { RunOutcome } from '../store/types.ts';
import type { RunStatus } from './runSummary.ts';
import type { RunWhy } from './runWhy.ts';

/** Why a run stopped before every member was tried. The first reason wins; later ones are ignored. */
export type StopReason =
  | { kind: 'code-final'; classification: Classification }
  | { kind: 'config-error'; classification: Classification }
  | { kind: 'lock-lost' }
  | { kind: 'stale-fence' }
  | { kind: 'shutdown' }
  /** The bot was removed from the server (Discord's GuildDelete): its automatic runs stop. */
  | { kind: 'server-left' };

/** The run's status for its summary. */
export function runStatusFor(stop: StopReason | null): RunStatus {
  if (!stop) return 'completed';
  if (stop.kind === 'code-final') return 'code-invalid';
  if (stop.kind === 'config-error') return 'config-error';
  return 'aborted';
}

/** What the runs table keeps: a shutdown is "interrupted" (resumed on the next start), other stops "aborted". */
export function runOutcomeFor(stop: StopReason | null): Exclude<RunOutcome, 'running'> {
  if (!stop) return 'completed';
  switch (stop.kind) {
    case 'code-final':
      return 'code-invalid';
    case 'config-error':
      return 'config-error';
    case 'shutdown':
      return 'interrupted';
    default:
      return 'aborted';
  }
}

/** The reason shown for members the stop left uncalled. */
export function stopReasonText(stop: StopReason | null): string {
  if (!stop) return 'stopped';
  switch (stop.kind) {
    case 'code-final':
      return `code-${stop.classification.kind === 'code-final' ? stop.classification.reason : 'invalid'}`;
    case 'config-error':
      return 'config-error';
    default:
      return stop.kind;
  }
}

/** The sentence before the counts in the run's message. */
export function describeStop(stop: StopReason | null, code: string): string | undefined {
  if (!stop) return undefined;
  switch (stop.kind) {
    case 'code-final': {
      const c = stop.classification;
      return deadCodeStopSentence(code, c.kind === 'code-final' ? c.reason : 'not-found', c);
    }
    case 'config-error':
      return `The game refused our request as malformed (${stop.classification.msg}); the run stopped. Check the API settings (salt, base URL) — this is not the members' fault.`;
    case 'lock-lost':
      return 'The run lost its lock and stopped; the next run finishes the rest.';
    case 'stale-fence':
      return 'A newer run took over this code; this one stopped without writing.';
    case 'shutdown':
      return 'The bot is shutting down; the rest resumes on the next start.';
    case 'server-left':
      return 'The bot was removed from this server; its automatic runs stopped (its data is kept).';
  }
}

/** The same stop as data, for a summary in another language than English (`summary.because.stop.*`). */
export function stopWhy(stop: StopReason | null, code: string): RunWhy | undefined {
  if (!stop) return undefined;
  switch (stop.kind) {
    case 'code-final': {
      const c = stop.classification;
      const status = codeStatusFor(c.kind === 'code-final' ? c.reason : 'not-found');
      return { key: `stop.codeFinal.${status}`, vars: { code, detail: `${c.msg ?? ''} ${c.errCode ?? ''}` } };
    }
    case 'config-error':
      return { key: 'stop.configError', vars: { detail: String(stop.classification.msg) } };
    case 'lock-lost':
      return { key: 'stop.lockLost', vars: {} };
    case 'stale-fence':
      return { key: 'stop.staleFence', vars: {} };
    case 'shutdown':
      return { key: 'stop.shutdown', vars: {} };
    case 'server-left':
      return { key: 'stop.serverLeft', vars: {} };
  }
}

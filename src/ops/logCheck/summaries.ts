import { EVENTS } from '../../log/events.ts';
import { numberField, stringField, type LogRecord } from './logRecord.ts';
import type { CodeSummary, GuildSummary } from './logReport.ts';

type GuildTally = GuildSummary & { codeSet: Set<string> };

/** One summary per code and per guild: the only part of the analysis that grows with the log's variety. */
export interface Summaries {
  code(game: string, code: string): CodeSummary;
  guild(guildId: string): GuildTally;
  codes(): CodeSummary[];
  guilds(): GuildSummary[];
}

export function createSummaries(): Summaries {
  const codes = new Map<string, CodeSummary>();
  const guilds = new Map<string, GuildTally>();
  return {
    code(game, code) {
      const key = `${game}:${code}`;
      let summary = codes.get(key);
      if (!summary) {
        summary = {
          game,
          code,
          runs: 0,
          statuses: {},
          members: {},
          retries: 0,
          duplicates: 0,
          apiCalls: 0,
          rateLimited: 0,
          invalidated: null,
        };
        codes.set(key, summary);
      }
      return summary;
    },
    guild(guildId) {
      let summary = guilds.get(guildId);
      if (!summary) {
        summary = {
          guildId,
          runs: 0,
          codes: 0,
          statuses: {},
          members: {},
          duplicates: 0,
          refused: 0,
          codeSet: new Set(),
        };
        guilds.set(guildId, summary);
      }
      return summary;
    },
    codes() {
      return [...codes.values()].sort((a, b) => a.game.localeCompare(b.game) || a.code.localeCompare(b.code));
    },
    guilds() {
      return [...guilds.values()]
        .map(({ codeSet, ...summary }) => ({ ...summary, codes: codeSet.size }))
        .sort((a, b) => a.guildId.localeCompare(b.guildId));
    },
  };
}

export function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Counts one line into the per-code and per-guild summaries; lines of other events are ignored. */
export function tally(
  summaries: Summaries,
  record: LogRecord,
  guildId: string | null,
  code: string | null,
  game: string | null,
): void {
  const event = record.event;
  switch (event) {
    case EVENTS.runStarted:
      if (guildId && code) {
        summaries.guild(guildId).runs += 1;
        summaries.guild(guildId).codeSet.add(`${game ?? '?'}:${code}`);
        if (game) summaries.code(game, code).runs += 1;
      }
      break;
    case EVENTS.memberResult: {
      const outcome = stringField(record, 'outcome') ?? 'unknown';
      if (guildId) bump(summaries.guild(guildId).members, outcome);
      if (game && code) bump(summaries.code(game, code).members, outcome);
      break;
    }
    case EVENTS.memberRetry:
      if (game && code) summaries.code(game, code).retries += 1;
      break;
    case EVENTS.runFinished:
    case EVENTS.runFailed: {
      const status = event === EVENTS.runFailed ? 'failed' : (stringField(record, 'status') ?? 'unknown');
      if (guildId) bump(summaries.guild(guildId).statuses, status);
      if (game && code) {
        const summary = summaries.code(game, code);
        bump(summary.statuses, status);
        summary.apiCalls += numberField(record, 'apiCalls') ?? 0;
        summary.rateLimited += numberField(record, 'rateLimited') ?? 0;
      }
      break;
    }
    case EVENTS.duplicateSkipped:
      if (guildId) summaries.guild(guildId).duplicates += 1;
      if (game && code) summaries.code(game, code).duplicates += 1;
      break;
    case EVENTS.runRefused:
      if (guildId) summaries.guild(guildId).refused += 1;
      break;
    case EVENTS.codeInvalidated:
      if (game && code)
        summaries.code(game, code).invalidated =
          stringField(record, 'status') ?? stringField(record, 'reason') ?? 'invalid';
      break;
  }
}

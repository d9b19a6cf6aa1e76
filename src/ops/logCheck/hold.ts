import type { LogRecord } from './logRecord.ts';

/** One run's hold on its (guild, code) lock, from lock_acquired / run.started to its release. */
export interface Hold {
  key: string;
  guildCode: string;
  pid: number | null;
  guildId: string;
  code: string;
  game: string | null;
  runId: number | null;
  acquired: LogRecord;
  last: LogRecord;
  results: number;
  lost: boolean;
  /** The line showing the holder is gone (another holder, or the process started again) while still holding. */
  supersededBy: LogRecord | null;
}

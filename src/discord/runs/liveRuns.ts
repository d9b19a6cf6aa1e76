/**
 * Runs this bot is showing in Discord, by (guild, code): a second `/redeem` for the same code is answered with where
 * to watch the first. Claiming is synchronous (check and set with no await between), so two commands arriving
 * together can never both start a run.
 */
export interface LiveRun {
  guildId: string;
  code: string;
  trigger: string;
  /** Link to the message showing the run, once it is posted. */
  url: string | null;
  /** The channel the progress is (or will be) posted in, when known. */
  channelId: string | null;
}

export interface LiveRuns {
  /** Claims (guild, code) for a run; null when it is already claimed. */
  claim(run: Omit<LiveRun, 'url'> & { url?: string | null }): LiveRun | null;
  get(guildId: string, code: string): LiveRun | undefined;
  /** Releases the claim, only if it is still this one. */
  release(run: LiveRun | null | undefined): void;
}

export function createLiveRuns(): LiveRuns {
  const runs = new Map<string, LiveRun>();
  const key = (guildId: string, code: string) => `${guildId}:${code}`;
  return {
    claim(run) {
      const k = key(run.guildId, run.code);
      if (runs.has(k)) return null;
      const entry: LiveRun = { ...run, url: run.url ?? null };
      runs.set(k, entry);
      return entry;
    },
    get: (guildId, code) => runs.get(key(guildId, code)),
    release(run) {
      if (!run) return;
      const k = key(run.guildId, run.code);
      if (runs.get(k) === run) runs.delete(k);
    },
  };
}

import type { CodeIntake } from '../codes/codeIntake.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/types.ts';

/**
 * Brings codes found by another shard to this shard's alliances. Only one shard polls the feeds; the codes it (or a
 * codes channel anywhere) takes on are in the shared store with their fan-out started. Every shard — the polling one
 * too, after a restart — looks there every `intervalMs` and takes up, through its own code intake, each recent code
 * that one of its auto-redeem alliances has no finished run of. The store is the message bus, so a shard that was
 * down when the code appeared catches up when it starts, and no process-to-process messaging is needed.
 */
export interface ShardFollower {
  start(): void;
  /** Checks the store now (tests, and right after start-up). */
  check(): Promise<number>;
  stop(): Promise<void>;
}

export interface ShardFollowerOptions {
  /** The shard-scoped store: guilds.list yields this shard's guilds only. */
  store: Store;
  intake: Pick<CodeIntake, 'resume' | 'inProgress'>;
  log: Logger;
  intervalMs: number;
  /** Codes whose fan-out started longer ago than this are left alone (they are old news). Default 24 h. */
  lookbackMs?: number;
}

/** Run outcomes after which an alliance has what it can get from a code. */
const SETTLED_OUTCOMES = new Set(['completed', 'code-invalid']);

export function createShardFollower(options: ShardFollowerOptions): ShardFollower {
  const { store, intake, log, intervalMs } = options;
  const lookbackMs = options.lookbackMs ?? 24 * 3_600_000;
  // Codes this process has taken up (or found settled): not looked at again until the fan-out ends unfinished.
  const followed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<number> | undefined;
  let stopped = false;

  /** Whether settled runs of the code cover every one of these alliances of the server (a run without a list, from before alliances, covered them all). */
  async function settledFor(guildId: string, allianceIds: readonly number[], game: string, code: string) {
    const runs = (await store.runs.listRecent(guildId, 200)).filter(
      (run) => run.game === game && run.code === code && SETTLED_OUTCOMES.has(run.outcome),
    );
    if (runs.some((run) => run.allianceIds.length === 0)) return true;
    const covered = new Set(runs.flatMap((run) => run.allianceIds));
    return allianceIds.every((id) => covered.has(id));
  }

  async function checkOnce(): Promise<number> {
    const now = Date.now();
    const busy = new Set(intake.inProgress().map(({ game, code }) => `${game}:${code}`));
    // A code still 'new' long after its fan-out started: the shard that found it could not check it (none of its
    // alliances plays that game, say); this shard checks it on its own members.
    const candidates = (await store.codes.list({ statuses: ['valid', 'new'] })).filter(
      (c) =>
        c.fanoutStartedAt !== null &&
        now - c.fanoutStartedAt < lookbackMs &&
        (c.status === 'valid' || now - c.fanoutStartedAt > 2 * intervalMs),
    );
    if (candidates.length === 0) return 0;
    const alliances = await store.alliances.list({ autoRedeem: true });
    let takenUp = 0;
    for (const candidate of candidates) {
      const key = `${candidate.game}:${candidate.code}`;
      if (followed.has(key) || busy.has(key) || stopped) continue;
      const servers = new Map<string, number[]>();
      for (const alliance of alliances.filter((a) => a.game === candidate.game))
        servers.set(alliance.guildId, [...(servers.get(alliance.guildId) ?? []), alliance.id]);
      const waiting: string[] = [];
      for (const [guildId, ids] of servers)
        if (!(await settledFor(guildId, ids, candidate.game, candidate.code))) waiting.push(guildId);
      if (waiting.length === 0) {
        followed.add(key);
        continue;
      }
      const done = intake.resume(candidate.game, candidate.code);
      if (!done) continue;
      followed.add(key);
      takenUp += 1;
      log.info(
        { event: EVENTS.codeFanout, phase: 'followed', game: candidate.game, code: candidate.code, guilds: waiting },
        `${candidate.code}: found by another shard; redeeming it for this shard's alliances`,
      );
      void done.then(
        (report) => {
          if (!report.finished) followed.delete(key);
        },
        () => followed.delete(key),
      );
    }
    return takenUp;
  }

  function check(): Promise<number> {
    checking ??= checkOnce()
      .catch((err: unknown) => {
        log.warn(
          { event: EVENTS.codeFanout, phase: 'follow-failed', err },
          'could not look for codes found by other shards; trying again shortly',
        );
        return 0;
      })
      .finally(() => (checking = undefined));
    return checking;
  }

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void check(), intervalMs);
      timer.unref();
      void check();
    },
    check,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await checking;
    },
  };
}

import type { Game } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RunListener } from '../redeem/runListener.ts';
import type { Store } from '../store/types.ts';
import { SELF_SERVICE_TEXT as T } from './texts.ts';

/** What sending a direct message gave: `closed` when the user does not take DMs from the bot. */
export type DmResult = 'sent' | 'closed' | 'failed';

export interface RedeemedNotifierDeps {
  store: Pick<Store, 'memberLinks'>;
  log: Logger;
  send: (userId: string, content: string) => Promise<DmResult>;
  /** Codes redeemed for one player within this time go into one message. */
  batchMs: number;
}

export interface RedeemedNotifier extends RunListener {
  /** Sends what is waiting now (tests; shutdown). */
  flush(): Promise<void>;
  /** No more messages; what is waiting is dropped. */
  stop(): void;
}

/** Codes redeemed for one player, waiting to be told. */
type Batch = { game: Game; fid: string; name: string | null; codes: string[] };

/**
 * A direct message to members who asked for one (`/me notify on`) when a code was redeemed for their player: one per
 * code, or one for several codes that arrive within `batchMs`. A user whose DMs are closed is noted once and not tried
 * again until they turn notify on again.
 */
export function createRedeemedNotifier(deps: RedeemedNotifierDeps): RedeemedNotifier {
  const waiting = new Map<string, Batch>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let sending: Promise<void> = Promise.resolve();

  /** One query per game for every player waiting, then one message per (user, player). */
  async function deliver(game: Game, batches: readonly Batch[]): Promise<void> {
    const byFid = new Map(batches.map((batch) => [batch.fid, batch]));
    const links = await deps.store.memberLinks.listToNotify(game, [...byFid.keys()]);
    // A player linked in two servers by the same user gets one message.
    const seen = new Set<string>();
    for (const link of links) {
      const batch = byFid.get(link.fid);
      if (!batch || seen.has(`${link.userId}:${link.fid}`) || stopped) continue;
      seen.add(`${link.userId}:${link.fid}`);
      const result = await deps.send(link.userId, T.redeemedDm(batch.codes, batch.fid, batch.name));
      const context = { guildId: link.guildId, userId: link.userId, fid: batch.fid, codes: batch.codes };
      if (result === 'sent') deps.log.info({ event: EVENTS.selfServiceDmSent, ...context }, 'redeemed-code DM sent');
      else if (result === 'closed') {
        await deps.store.memberLinks.markDmClosed(link.guildId, link.userId, Date.now());
        deps.log.info({ event: EVENTS.selfServiceDmClosed, ...context }, 'member has DMs closed: not tried again');
      } else deps.log.warn({ event: EVENTS.selfServiceDmFailed, ...context }, 'redeemed-code DM failed');
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batches = [...waiting.values()];
    waiting.clear();
    sending = sending.then(async () => {
      for (const game of new Set(batches.map((batch) => batch.game))) {
        if (stopped) return;
        try {
          await deliver(
            game,
            batches.filter((batch) => batch.game === game),
          );
        } catch (error) {
          deps.log.warn({ event: EVENTS.selfServiceDmFailed, game, err: error }, 'redeemed-code DMs failed');
        }
      }
    });
    return sending;
  }

  return {
    runEnded(summary) {
      if (stopped || !summary.game) return;
      for (const member of summary.members) {
        if (member.outcome !== 'success') continue;
        const key = `${summary.game}:${member.fid}`;
        const entry = waiting.get(key) ?? { game: summary.game, fid: member.fid, name: member.name, codes: [] };
        if (!entry.codes.includes(summary.code)) entry.codes.push(summary.code);
        waiting.set(key, entry);
      }
      if (waiting.size > 0 && !timer) {
        timer = setTimeout(() => void flush(), deps.batchMs);
        timer.unref();
      }
    },
    flush,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      waiting.clear();
    },
  };
}

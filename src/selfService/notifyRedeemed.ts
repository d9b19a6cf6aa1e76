import type { Game } from '../game/games.ts';
import { t } from '../i18n/i18n.ts';
import { DEFAULT_LANGUAGE } from '../i18n/languages.ts';
import { memberLanguage } from '../i18n/locale.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RunListener } from '../redeem/runListener.ts';
import type { MemberLinkRecord, Store } from '../store/types.ts';

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

/** Codes redeemed for one linked player, waiting to be told to its user. */
type Batch = { link: MemberLinkRecord; name: string | null; codes: string[] };

/** The DM, in the language of the member's last /me command (a DM has no locale of its own). */
function redeemedText({ link, name, codes }: Batch): string {
  const lang = memberLanguage(link.locale, DEFAULT_LANGUAGE);
  const vars = { codes: codes.map((code) => `**${code}**`).join(', '), count: codes.length, fid: link.fid };
  return name === null ? t(lang, 'dm.redeemedYourPlayer', vars) : t(lang, 'dm.redeemed', { ...vars, name });
}

/**
 * A direct message to members who asked for one (`/me notify on`) when a code was redeemed for their player: one per
 * code, or one for several codes that arrive within `batchMs`. Who asked is read when the run ends. A user whose DMs
 * are closed is noted once and not tried again until they turn notify on again.
 */
export function createRedeemedNotifier(deps: RedeemedNotifierDeps): RedeemedNotifier {
  const waiting = new Map<string, Batch>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let sending: Promise<void> = Promise.resolve();
  let lookups: Promise<void> = Promise.resolve();

  async function deliver(batch: Batch): Promise<void> {
    const { link } = batch;
    const result = await deps.send(link.userId, redeemedText(batch));
    const context = { guildId: link.guildId, userId: link.userId, fid: link.fid, codes: batch.codes };
    if (result === 'sent') deps.log.info({ event: EVENTS.selfServiceDmSent, ...context }, 'redeemed-code DM sent');
    else if (result === 'closed') {
      await deps.store.memberLinks.markDmClosed(link.guildId, link.userId, Date.now());
      deps.log.info({ event: EVENTS.selfServiceDmClosed, ...context }, 'member has DMs closed: not tried again');
    } else deps.log.warn({ event: EVENTS.selfServiceDmFailed, ...context }, 'redeemed-code DM failed');
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batches = [...waiting.values()];
    waiting.clear();
    sending = sending.then(async () => {
      for (const batch of batches) {
        if (stopped) return;
        try {
          await deliver(batch);
        } catch (error) {
          deps.log.warn(
            { event: EVENTS.selfServiceDmFailed, userId: batch.link.userId, fid: batch.link.fid, err: error },
            'redeemed-code DM failed',
          );
        }
      }
    });
    return sending;
  }

  /** One query per run for the players who got the code, then each linked user's batch. */
  async function gather(game: Game, code: string, players: readonly { fid: string; name: string | null }[]) {
    const names = new Map(players.map((p) => [p.fid, p.name]));
    const links = await deps.store.memberLinks.listToNotify(game, [...names.keys()]);
    if (stopped) return;
    for (const link of links) {
      // A player linked in two servers by the same user gets one message.
      const key = `${link.userId}:${game}:${link.fid}`;
      const batch = waiting.get(key) ?? { link, name: names.get(link.fid) ?? null, codes: [] };
      if (!batch.codes.includes(code)) batch.codes.push(code);
      waiting.set(key, batch);
    }
    if (waiting.size > 0 && !timer) {
      timer = setTimeout(() => void flush(), deps.batchMs);
      timer.unref();
    }
  }

  return {
    runEnded(summary) {
      const { game, code } = summary;
      if (stopped || !game) return;
      const players = summary.members.filter((m) => m.outcome === 'success');
      if (players.length === 0) return;
      lookups = lookups
        .then(() => gather(game, code, players))
        .catch((error: unknown) => {
          deps.log.warn({ event: EVENTS.selfServiceDmFailed, game, code, err: error }, 'could not read who wants a DM');
        });
    },
    async flush() {
      await lookups;
      await flush();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      waiting.clear();
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Events, MessageFlags, type Client, type Message } from 'discord.js';
import type { CodeIntake, SubmitResult } from '../codeIntake.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { FINAL_CODE_STATUSES, type Store } from '../../store/types.ts';
import { parseCodesFromMessage } from './parseCodesFromMessage.ts';

export const REACTIONS = {
  /** New and valid (or new, check still under way). */
  valid: '✅',
  /** Not a code, or the game says it is expired / unknown / used up. */
  invalid: '❌',
  /** Already known and live: nothing new to do. */
  known: '🔁',
} as const;

export interface ChannelWatcherOptions {
  client: Client;
  store: Store;
  intake: Pick<CodeIntake, 'submit'>;
  log: Logger;
  /** How long a reaction waits for the code's check before saying ✅ "new" (default 20 s). */
  verdictWaitMs?: number;
}

export interface ChannelWatcher {
  /** Stops listening; resolves when messages being handled are done. */
  stop(): Promise<void>;
}

/**
 * Watches each alliance's codes channel (guilds.codes_channel_id): a posted code goes through the intake like any
 * other, and the bot reacts ✅ new/valid, ❌ invalid, 🔁 already known. Other bots are ignored, except announcement
 * crossposts from a followed channel (how code announcements usually arrive).
 */
export function createChannelWatcher(options: ChannelWatcherOptions): ChannelWatcher {
  const { client, store, intake, log } = options;
  const verdictWaitMs = options.verdictWaitMs ?? 20_000;
  const handling = new Set<Promise<void>>();
  const stopController = new AbortController();

  async function reactionFor(result: SubmitResult): Promise<string> {
    switch (result.kind) {
      case 'known':
        return FINAL_CODE_STATUSES.includes(result.status) ? REACTIONS.invalid : REACTIONS.known;
      case 'accepted': {
        const timer = new AbortController();
        const signal = AbortSignal.any([timer.signal, stopController.signal]);
        try {
          const waited = await Promise.race([
            result.verdict,
            sleep(verdictWaitMs, 'unchecked' as const, { signal }).catch(() => 'unchecked' as const),
          ]);
          return waited === 'dead' ? REACTIONS.invalid : REACTIONS.valid;
        } finally {
          timer.abort();
        }
      }
    }
  }

  async function handle(message: Message): Promise<void> {
    if (!message.inGuild() || message.author.id === client.user?.id) return;
    const crosspost = message.flags.has(MessageFlags.IsCrosspost);
    if ((message.author.bot || message.webhookId) && !crosspost) return;
    // The channel belongs to the alliance(s) whose codes channel it is: their game is the codes' game.
    const owners = await store.alliances.list({ guildId: message.guildId, codesChannelId: message.channelId });
    if (owners.length === 0) return;
    const games = [...new Set(owners.map((alliance) => alliance.game))];
    if (games.length > 1) {
      // Guessing would cost a call to the other game's API: the admin must give each game its own channel.
      log.error(
        {
          event: EVENTS.codeChannelFailed,
          guildId: message.guildId,
          channelId: message.channelId,
          messageId: message.id,
          reason: 'alliances of both games use this codes channel',
        },
        'codes channel shared by alliances of both games: the code is not taken (give each game its own channel)',
      );
      return;
    }
    const guild = { id: message.guildId, game: games[0]! };
    const codes = parseCodesFromMessage({
      content: message.content,
      embeds: message.embeds.map((embed) => ({
        title: embed.title,
        description: embed.description,
        fields: embed.fields,
      })),
    });
    const reactions: string[] = [];
    for (const code of codes) {
      const result = await intake.submit({ code, game: guild.game, source: `channel:${guild.id}` });
      const reaction = await reactionFor(result);
      if (!reactions.includes(reaction)) reactions.push(reaction);
    }
    for (const reaction of reactions) {
      try {
        await message.react(reaction);
      } catch (error) {
        log.warn(
          {
            event: EVENTS.discordPostFailed,
            guildId: guild.id,
            channelId: message.channelId,
            messageId: message.id,
            reaction,
            err: error,
          },
          'could not react to a posted code (missing Add Reactions permission?)',
        );
      }
    }
  }

  const listener = (message: Message) => {
    if (stopController.signal.aborted) return;
    const task = handle(message)
      .catch((error: unknown) => {
        log.error(
          {
            event: EVENTS.codeChannelFailed,
            guildId: message.guildId,
            channelId: message.channelId,
            messageId: message.id,
            err: error,
          },
          'a message in a codes channel could not be handled',
        );
      })
      .finally(() => handling.delete(task));
    handling.add(task);
  };
  client.on(Events.MessageCreate, listener);

  return {
    async stop() {
      client.off(Events.MessageCreate, listener);
      stopController.abort();
      await Promise.allSettled(handling);
    },
  };
}

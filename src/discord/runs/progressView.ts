import type { APIActionRowComponent, APIButtonComponent, APIEmbed, Message, RepliableInteraction, SendableChannels } from 'discord.js';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { COLORS } from '../embeds/colors.ts';

export interface ViewPayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

export interface ProgressViewOptions {
  log: Logger;
  /** Shortest gap between two edits. */
  intervalMs: number;
  /** Show the run in this interaction's (deferred) reply first. Without it, the run is shown in `channel()`. */
  interaction?: RepliableInteraction;
  /**
   * Once the interaction is this old, progress moves to `channel()`: Discord's interaction token dies after 15
   * minutes, and a long run must still end with its summary somewhere.
   */
  handoffAfterMs?: number;
  /** The channel to post in (the alliance's results channel); null when there is none. Called at most once. */
  channel: () => Promise<SendableChannels | null>;
  /** Told the link of the message showing the run, whenever it changes. */
  onWhere?: (url: string, channelId: string) => void;
  /** Log context (guild, code, run). */
  context: Record<string, unknown>;
}

export interface ProgressView {
  /** Shows this state soon: at once when the last edit is old enough, else when it is; only the latest state counts. */
  update(render: () => ViewPayload): void;
  /** Shows the final state (after any edit in flight) and stops updating. */
  finish(payload: ViewPayload): Promise<void>;
  /** Stops without showing anything more. */
  cancel(): Promise<void>;
}

/**
 * One live message for one run, edited no more often than `intervalMs`: in the interaction's reply while its token
 * lives, then in a channel message. Edits are sent one after the other, so they never arrive out of order; a failed
 * edit is logged and the run goes on.
 */
export function createProgressView(options: ProgressViewOptions): ProgressView {
  const { log, intervalMs, interaction } = options;
  let mode: 'interaction' | 'channel' | 'none' = interaction ? 'interaction' : 'channel';
  let channelPromise: Promise<SendableChannels | null> | null = null;
  let channelMessage: Message | null = null;
  let pending: (() => ViewPayload) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastSentAt = 0;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const channel = () => (channelPromise ??= options.channel().catch((error: unknown) => {
    log.warn({ event: EVENTS.discordPostFailed, ...options.context, err: error }, 'cannot reach the results channel');
    return null;
  }));

  function enqueue(send: () => Promise<void>): Promise<void> {
    chain = chain.then(send).catch((error: unknown) => {
      log.warn({ event: EVENTS.discordPostFailed, ...options.context, err: error }, 'could not update the run message in Discord');
    });
    return chain;
  }

  async function toChannel(payload: ViewPayload): Promise<void> {
    if (channelMessage) {
      try {
        await channelMessage.edit(payload);
        return;
      } catch (error) {
        // Deleted by someone, most likely: post a fresh message rather than lose the run.
        log.warn({ event: EVENTS.discordPostFailed, ...options.context, err: error }, 'run message could not be edited; posting a new one');
        channelMessage = null;
      }
    }
    const target = await channel();
    if (!target) {
      mode = 'none';
      return;
    }
    channelMessage = await target.send(payload);
    options.onWhere?.(channelMessage.url, channelMessage.channelId);
  }

  async function send(payload: ViewPayload): Promise<void> {
    if (mode === 'interaction' && interaction) {
      const age = Date.now() - interaction.createdTimestamp;
      if (options.handoffAfterMs === undefined || age < options.handoffAfterMs) {
        const message = await interaction.editReply(payload);
        options.onWhere?.(message.url, message.channelId);
        return;
      }
      mode = 'channel';
      await toChannel(payload);
      const moved: ViewPayload = channelMessage
        ? { embeds: [{ color: COLORS.info, description: `This run takes longer than Discord lets me update this message: it continues in ${channelMessage.url}` }], components: [] }
        : { embeds: [{ color: COLORS.info, description: 'This run takes longer than Discord lets me update this message, and this server has no results channel (`/alliance channel`); the run goes on.' }], components: [] };
      await interaction.editReply(moved);
      log.info({ event: EVENTS.discordProgressMoved, ...options.context, url: channelMessage?.url ?? null, ageMs: age }, 'run progress moved to the results channel');
      return;
    }
    if (mode === 'channel') await toChannel(payload);
  }

  function flush(): void {
    timer = null;
    const render = pending;
    pending = null;
    if (!render || closed) return;
    lastSentAt = Date.now();
    void enqueue(() => send(render()));
  }

  return {
    update(render) {
      if (closed) return;
      pending = render;
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, lastSentAt + intervalMs - Date.now()));
    },
    finish(payload) {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      return enqueue(() => send(payload));
    },
    cancel() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      return chain;
    },
  };
}

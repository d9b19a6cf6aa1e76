import type {
  APIActionRowComponent,
  APIButtonComponent,
  APIEmbed,
  Message,
  RepliableInteraction,
  SendableChannels,
} from 'discord.js';
import { t } from '../../i18n/i18n.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../i18n/languages.ts';
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
  /** The language of the note left in the interaction's reply when the run moves on (the member's). */
  lang?: Language;
}

export interface ProgressView {
  /** Shows this state soon: at once when the last edit is old enough, else when it is; only the latest state counts. */
  update(render: () => ViewPayload): void;
  /** Shows the final state (after any edit in flight) and stops updating. */
  finish(payload: ViewPayload): Promise<void>;
  /** Stops without showing anything more. */
  cancel(): Promise<void>;
}

/** One view's state, shared by its steps below. */
interface View {
  readonly options: ProgressViewOptions;
  /** Where the run is shown now: the interaction's reply, a channel message, or nowhere (no channel to post in). */
  mode: 'interaction' | 'channel' | 'none';
  /** The results channel, asked for once (options.channel is called at most once). */
  channelPromise: Promise<SendableChannels | null> | null;
  /** The channel message showing the run, once posted: later states edit it. */
  channelMessage: Message | null;
  /** The latest state not shown yet: only the latest counts. */
  pending: (() => ViewPayload) | null;
  /** The next edit, when the last one was too recent. */
  timer: NodeJS.Timeout | null;
  /** When the last edit was started, for the `intervalMs` gap. */
  lastSentAt: number;
  /** finish() or cancel() was called: no more updates. */
  closed: boolean;
  /** Edits in order, one after the other, so they never arrive out of order. */
  chain: Promise<void>;
}

/**
 * One live message for one run, edited no more often than `intervalMs`: in the interaction's reply while its token
 * lives, then in a channel message. Edits are sent one after the other, so they never arrive out of order; a failed
 * edit is logged and the run goes on.
 */
export function createProgressView(options: ProgressViewOptions): ProgressView {
  const view: View = {
    options,
    mode: options.interaction ? 'interaction' : 'channel',
    channelPromise: null,
    channelMessage: null,
    pending: null,
    timer: null,
    lastSentAt: 0,
    closed: false,
    chain: Promise.resolve(),
  };
  return {
    update(render) {
      if (view.closed) return;
      view.pending = render;
      if (view.timer) return;
      view.timer = setTimeout(() => flush(view), Math.max(0, view.lastSentAt + options.intervalMs - Date.now()));
    },
    finish(payload) {
      close(view);
      return enqueue(view, () => send(view, payload));
    },
    cancel() {
      close(view);
      return view.chain;
    },
  };
}

function close(view: View): void {
  view.closed = true;
  if (view.timer) clearTimeout(view.timer);
  view.timer = null;
  view.pending = null;
}

function channel(view: View): Promise<SendableChannels | null> {
  const { options } = view;
  return (view.channelPromise ??= options.channel().catch((error: unknown) => {
    options.log.warn(
      { event: EVENTS.discordPostFailed, ...options.context, err: error },
      'cannot reach the results channel',
    );
    return null;
  }));
}

function enqueue(view: View, send: () => Promise<void>): Promise<void> {
  const { options } = view;
  view.chain = view.chain.then(send).catch((error: unknown) => {
    options.log.warn(
      { event: EVENTS.discordPostFailed, ...options.context, err: error },
      'could not update the run message in Discord',
    );
  });
  return view.chain;
}

async function toChannel(view: View, payload: ViewPayload): Promise<void> {
  const { options } = view;
  if (view.channelMessage) {
    try {
      await view.channelMessage.edit(payload);
      return;
    } catch (error) {
      // Deleted by someone, most likely: post a fresh message rather than lose the run.
      options.log.warn(
        { event: EVENTS.discordPostFailed, ...options.context, err: error },
        'run message could not be edited; posting a new one',
      );
      view.channelMessage = null;
    }
  }
  const target = await channel(view);
  if (!target) {
    view.mode = 'none';
    return;
  }
  view.channelMessage = await target.send(payload);
  options.onWhere?.(view.channelMessage.url, view.channelMessage.channelId);
}

async function send(view: View, payload: ViewPayload): Promise<void> {
  const { options } = view;
  const { interaction } = options;
  if (view.mode === 'interaction' && interaction) {
    const age = Date.now() - interaction.createdTimestamp;
    if (options.handoffAfterMs === undefined || age < options.handoffAfterMs) {
      const message = await interaction.editReply(payload);
      options.onWhere?.(message.url, message.channelId);
      return;
    }
    await handOff(view, interaction, payload, age);
    return;
  }
  if (view.mode === 'channel') await toChannel(view, payload);
}

/** The interaction's token is about to die: the run goes on in the channel, and the reply says where. */
async function handOff(
  view: View,
  interaction: RepliableInteraction,
  payload: ViewPayload,
  age: number,
): Promise<void> {
  const { options } = view;
  view.mode = 'channel';
  await toChannel(view, payload);
  const { channelMessage } = view;
  const lang = options.lang ?? DEFAULT_LANGUAGE;
  const moved: ViewPayload = channelMessage
    ? {
        embeds: [
          {
            color: COLORS.info,
            description: t(lang, 'progress.movedTo', { url: channelMessage.url }),
          },
        ],
        components: [],
      }
    : {
        embeds: [
          {
            color: COLORS.info,
            description: t(lang, 'progress.movedNowhere'),
          },
        ],
        components: [],
      };
  await interaction.editReply(moved);
  options.log.info(
    { event: EVENTS.discordProgressMoved, ...options.context, url: channelMessage?.url ?? null, ageMs: age },
    'run progress moved to the results channel',
  );
}

function flush(view: View): void {
  view.timer = null;
  const render = view.pending;
  view.pending = null;
  if (!render || view.closed) return;
  view.lastSentAt = Date.now();
  void enqueue(view, () => send(view, render()));
}

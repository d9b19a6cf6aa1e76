// The real bot (startBot: discord.js Client, SQLite store in a temp dir) against the fake Discord and the game-API
// simulator, all on 127.0.0.1. One per test file (or per test when a test needs a fresh world).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startFakeDiscord,
  type FakeDiscord,
  type InteractionHandle,
  type RestCall,
  type SendCommandInput,
  type StoredMessage,
} from '@giftbot/fake-discord';
import { loadConfig } from '../../src/config/config.ts';
import type { Bot } from '../../src/discord/connectBot.ts';
import { startBot } from '../../src/runtime.ts';
import {
  startGameApiSimulator,
  type GameApiSimulator,
  type SimulatorOptions,
} from '../../src/dev/simulator/gameApiSimulator.ts';
import { captureLogs, testEnv } from './coreHarness.ts';
import { addAlliance } from './alliances.ts';

export const GUILD_ID = '910000000000000001';
export const OTHER_GUILD_ID = '910000000000000002';
export const COMMANDS_CHANNEL_ID = '910000000000000010';
export const RESULTS_CHANNEL_ID = '910000000000000011';
export const OTHER_CHANNEL_ID = '910000000000000012';
export const OFFICER_ROLE_ID = '910000000000000020';
export const HELPER_ROLE_ID = '910000000000000021';
/** Has Manage Server through the officer role. */
export const ADMIN_ID = '910000000000000100';
/** A plain member. */
export const MEMBER_ID = '910000000000000101';
/** Has the helper role (no Manage Server): allowed only once it is the alliance's admin role. */
export const HELPER_ID = '910000000000000102';
/** Admin of the other server only. */
export const OTHER_ADMIN_ID = '910000000000000103';

const MANAGE_GUILD = 1n << 5n;

export interface BotHarnessOptions {
  sim?: SimulatorOptions;
  /** Extra giftbot configuration (env keys). */
  env?: Record<string, string>;
  interactionHandoffMs?: number;
  /** `/me notify`: how long codes for one member are gathered into one DM. */
  dmBatchMs?: number;
  /** More text channels of the main server (an alliance's own results channel), created before the bot logs in. */
  extraChannels?: { id: string; name: string }[];
  /** The main server's preferred locale (Discord's `preferred_locale`; en-US when left out). */
  guildLocale?: string;
}

export interface BotHarness {
  fake: FakeDiscord;
  sim: GameApiSimulator;
  bot: Bot;
  logs: ReturnType<typeof captureLogs>;
  env: Record<string, string>;
  dir: string;
  /** Sends a slash command; guild, channel and user default to the main server's admin in the commands channel. */
  command(
    input: Omit<SendCommandInput, 'guildId' | 'channelId' | 'userId'> &
      Partial<Pick<SendCommandInput, 'guildId' | 'channelId' | 'userId'>>,
  ): InteractionHandle;
  /** Waits until the interaction's first message satisfies `ready` (e.g. has an embed), and returns it. */
  reply(token: string, ready?: (message: StoredMessage) => boolean, timeoutMs?: number): Promise<StoredMessage>;
  /** REST calls the bot made for this interaction (callback, @original edits, follow-ups), in order. */
  calls(token: string): RestCall[];
  /** Fails the test on any REST route the fake does not know, any gateway error, and any failed command. */
  assertClean(): void;
  /** Stops the bot and starts it again on the same database, fake and simulator. */
  restart(options?: { interactionHandoffMs?: number }): Promise<Bot>;
  close(): Promise<void>;
}

/** Starts the fake Discord with two servers, the simulator, and the bot logged in to the fake. */
export async function startBotHarness(options: BotHarnessOptions = {}): Promise<BotHarness> {
  const fake = await startFakeDiscord();
  fake.addGuild({
    id: GUILD_ID,
    name: 'Alliance',
    ...(options.guildLocale ? { preferredLocale: options.guildLocale } : {}),
  });
  fake.addChannel(GUILD_ID, { id: COMMANDS_CHANNEL_ID, name: 'bot-commands' });
  fake.addChannel(GUILD_ID, { id: RESULTS_CHANNEL_ID, name: 'giftbot-results' });
  fake.addRole(GUILD_ID, { id: OFFICER_ROLE_ID, name: 'R4', permissions: MANAGE_GUILD });
  fake.addRole(GUILD_ID, { id: HELPER_ROLE_ID, name: 'Gift helpers', permissions: 0n });
  fake.addMember(GUILD_ID, { userId: ADMIN_ID, username: 'leader', roles: [OFFICER_ROLE_ID] });
  fake.addMember(GUILD_ID, { userId: MEMBER_ID, username: 'member' });
  fake.addMember(GUILD_ID, { userId: HELPER_ID, username: 'helper', roles: [HELPER_ROLE_ID] });
  fake.addGuild({ id: OTHER_GUILD_ID, name: 'Other alliance' });
  fake.addChannel(OTHER_GUILD_ID, { id: OTHER_CHANNEL_ID, name: 'general' });
  fake.addMember(OTHER_GUILD_ID, { userId: OTHER_ADMIN_ID, username: 'other-leader', permissions: MANAGE_GUILD });
  for (const channel of options.extraChannels ?? []) fake.addChannel(GUILD_ID, channel);

  const sim = await startGameApiSimulator({
    rateLimit: { limit: 60, windowMs: 1_000 },
    playerSpacingMs: 0,
    ...options.sim,
  });
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-discord-'));
  const env: Record<string, string> = {
    ...testEnv(sim, join(dir, 'giftbot.sqlite')),
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    DISCORD_PROGRESS_INTERVAL_MS: '100',
    RATE_LIMIT_PER_MINUTE: '60',
    API_READ_TIMEOUT_MS: '3000',
    ...options.env,
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(`test config: ${loaded.problems.join('; ')}`);
  const config = loaded.config;
  const logs = captureLogs();
  const boot = (handoff?: number) =>
    startBot({
      config,
      log: logs.log,
      ...(handoff !== undefined ? { interactionHandoffMs: handoff } : {}),
      ...(options.dmBatchMs !== undefined ? { dmBatchMs: options.dmBatchMs } : {}),
    });

  const harness: BotHarness = {
    fake,
    sim,
    bot: await boot(options.interactionHandoffMs),
    logs,
    env,
    dir,
    command(input) {
      return fake.sendCommand({ guildId: GUILD_ID, channelId: COMMANDS_CHANNEL_ID, userId: ADMIN_ID, ...input });
    },
    async reply(token, ready = (m) => !!m.content || (m.embeds?.length ?? 0) > 0, timeoutMs = 10_000) {
      return fake.waitFor(() => {
        const first = fake.interactionMessages(token)[0];
        return first && ready(first) ? first : undefined;
      }, timeoutMs);
    },
    calls: (token) => fake.interactionResponses(token),
    assertClean() {
      const problems = [
        ...fake.unhandled.map((c) => `unhandled REST route: ${c.method} ${c.path}`),
        ...fake.gatewayErrors.map((e) => `gateway error: ${e}`),
        ...logs
          .events('discord.command_failed')
          .map((l) => `command failed: ${String(l.command)} ${JSON.stringify(l.err)}`),
        ...logs.events('discord.post_failed').map((l) => `post failed: ${l.msg} ${JSON.stringify(l.err)}`),
      ];
      if (problems.length > 0) throw new Error(`the bot misbehaved:\n  ${problems.join('\n  ')}`);
    },
    async restart(restartOptions = {}) {
      await harness.bot.stop();
      harness.bot = await boot(restartOptions.interactionHandoffMs ?? options.interactionHandoffMs);
      return harness.bot;
    },
    async close() {
      await harness.bot.stop();
      await fake.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** An alliance set up in the store with `count` members the simulator knows (fids from `firstFid`). */
export async function seedAlliance(
  h: BotHarness,
  {
    guildId = GUILD_ID,
    state = 245,
    count,
    firstFid = 60_000_001,
    results = true,
  }: { guildId?: string; state?: number; count: number; firstFid?: number; results?: boolean },
): Promise<string[]> {
  const { store } = h.bot.app;
  const alliance = await addAlliance(store, {
    guildId,
    game: 'wos',
    defaultState: state,
    autoRedeem: true,
    ...(results && guildId === GUILD_ID ? { resultChannelId: RESULTS_CHANNEL_ID } : {}),
  });
  const fids = Array.from({ length: count }, (_, i) => String(firstFid + i));
  h.sim.addPlayers(
    'wos',
    fids.map((fid) => ({ fid, kid: state })),
  );
  await store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state, name: `player ${fid}` })),
  );
  return fids;
}

/** An embed's fields as { name: value }. */
export function embedFields(message: StoredMessage | undefined, index = 0): Record<string, string> {
  const embed = message?.embeds?.[index] as { fields?: Array<{ name: string; value: string }> } | undefined;
  return Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
}

export function embedOf(
  message: StoredMessage | undefined,
  index = 0,
): { title?: string; description?: string; color?: number; footer?: { text: string } } {
  return (message?.embeds?.[index] ?? {}) as {
    title?: string;
    description?: string;
    color?: number;
    footer?: { text: string };
  };
}

// Shared set-up for the fake-Discord tests: a fake with one guild, and a real discord.js Client logged in to it.
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { startFakeDiscord } from '@giftbot/fake-discord';
import type { FakeDiscord, FakeDiscordOptions } from '@giftbot/fake-discord';

export const GUILD_ID = '900000000000000001';
export const TEXT_CHANNEL_ID = '900000000000000010';
export const NEWS_CHANNEL_ID = '900000000000000011';
export const OFFICER_ROLE_ID = '900000000000000020';
export const ADMIN_USER_ID = '900000000000000100';
export const MEMBER_USER_ID = '900000000000000101';

export const DEFAULT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

export async function startWorld(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = await startFakeDiscord(opts);
  fake.addGuild({ id: GUILD_ID, name: 'Alliance' });
  fake.addChannel(GUILD_ID, { id: TEXT_CHANNEL_ID, name: 'gift-codes' });
  fake.addChannel(GUILD_ID, { id: NEWS_CHANNEL_ID, name: 'news', type: 'announcement' });
  fake.addRole(GUILD_ID, { id: OFFICER_ROLE_ID, name: 'R4', permissions: 1n << 5n /* ManageGuild */ });
  fake.addMember(GUILD_ID, { userId: ADMIN_USER_ID, username: 'leader', roles: [OFFICER_ROLE_ID] });
  fake.addMember(GUILD_ID, { userId: MEMBER_USER_ID, username: 'member' });
  return fake;
}

export interface LoggedIn {
  client: Client;
  /** ms from login() to clientReady */
  loginToReadyMs: number;
}

export async function login(fake: FakeDiscord, intents = DEFAULT_INTENTS, token = fake.token): Promise<LoggedIn> {
  const client = new Client({ intents, rest: { api: fake.apiBase } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  const started = performance.now();
  try {
    await client.login(token);
  } catch (err) {
    await client.destroy();
    throw err;
  }
  await ready;
  return { client, loginToReadyMs: performance.now() - started };
}

/** Collects errors thrown by async event handlers, so a test can assert there were none. */
export function handlerErrors(): {
  errors: unknown[];
  wrap<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => void;
} {
  const errors: unknown[] = [];
  return {
    errors,
    wrap:
      <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
      (...args: A) => {
        fn(...args).catch((err: unknown) => errors.push(err));
      },
  };
}

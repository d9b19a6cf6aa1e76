import { ChannelType, Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FakeDiscord } from '@giftbot/fake-discord';
import { GUILD_ID, login, NEWS_CHANNEL_ID, startWorld, TEXT_CHANNEL_ID } from './helpers.ts';

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  if (fake) {
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(1000);
  }
  fake = undefined;
});

describe('fake Discord: login', () => {
  it('logs a real discord.js Client in, with the guild, its channels, roles and the bot member cached', async () => {
    fake = await startWorld();
    const logged = await login(fake);
    client = logged.client;
    console.log(`login-to-ready: ${logged.loginToReadyMs.toFixed(1)} ms`);
    expect(logged.loginToReadyMs).toBeLessThan(2000);

    expect(client.user?.id).toBe(fake.botUserId);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(GUILD_ID);
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe('Alliance');
    expect(guild?.channels.cache.get(TEXT_CHANNEL_ID)?.type).toBe(ChannelType.GuildText);
    expect(guild?.channels.cache.get(NEWS_CHANNEL_ID)?.type).toBe(ChannelType.GuildAnnouncement);
    expect(guild?.roles.everyone.id).toBe(GUILD_ID);
    expect(guild?.members.me?.id).toBe(fake.botUserId);
    expect(guild?.members.me?.permissions.has('SendMessages')).toBe(true);
    expect(client.ws.ping).toBeDefined();

    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /gateway/bot']);
    expect(fake.calls[0]?.auth).toBe(`Bot ${fake.token}`);
    expect(fake.dispatched.map((d) => d.t)).toEqual(['READY', 'GUILD_CREATE']);
    expect(fake.connectedSessions).toBe(1);
    expect(fake.unhandled).toEqual([]);
    expect(fake.gatewayErrors).toEqual([]);
  });

  it('rejects login with a bad token (401 on GET /gateway/bot)', async () => {
    fake = await startWorld();
    const bad = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase } });
    await expect(bad.login('wrong-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    await bad.destroy();
    expect(fake.calls.at(-1)).toMatchObject({ path: '/gateway/bot', status: 401 });
    expect(fake.connectedSessions).toBe(0);
  });

  it('closes the gateway with 4004 on IDENTIFY with a bad token and records it', async () => {
    fake = await startWorld();
    const ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
    const hello = await new Promise<{ op: number; d: { heartbeat_interval: number } }>((resolve) =>
      ws.once('message', (m) => resolve(JSON.parse(m.toString()) as { op: number; d: { heartbeat_interval: number } })),
    );
    expect(hello.op).toBe(10);
    expect(hello.d.heartbeat_interval).toBeGreaterThan(0);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ op: 1, d: null }));
    const ack = await new Promise<{ op: number }>((resolve) =>
      ws.once('message', (m) => resolve(JSON.parse(m.toString()) as { op: number })),
    );
    expect(ack.op).toBe(11);
    ws.send(JSON.stringify({ op: 2, d: { token: 'nope', intents: 1, properties: {} } }));
    expect(await closed).toBe(4004);
    expect(fake.gatewayErrors).toEqual(['IDENTIFY with a bad token']);
  });

  it('dispatches GUILD_CREATE for a guild added after login', async () => {
    fake = await startWorld();
    ({ client } = await login(fake));
    const created = new Promise<string>((resolve) => client?.once(Events.GuildCreate, (g) => resolve(g.id)));
    fake.addGuild({ id: '900000000000000002', name: 'Second' });
    fake.addChannel('900000000000000002', { id: '900000000000000012' });
    expect(await created).toBe('900000000000000002');
    await fake.waitFor(() => client?.channels.cache.has('900000000000000012'));
    expect(fake.unhandled).toEqual([]);
  });

  it('answers unknown routes with a Discord-style 404 and lists them in `unhandled`', async () => {
    fake = await startWorld();
    const res = await fetch(`${fake.apiBase}/v10/no/such/route`, { headers: { authorization: `Bot ${fake.token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: '404: Not Found', code: 0 });
    expect(fake.unhandled.map((c) => c.path)).toEqual(['/no/such/route']);
  });

  it('acknowledges heartbeats, so the connection stays up without reconnects', async () => {
    fake = await startWorld({ heartbeatIntervalMs: 100 });
    ({ client } = await login(fake));
    const c = client;
    await fake.waitFor(() => c.ws.ping >= 0, 2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.dispatched.filter((d) => d.t === 'READY' || d.t === 'RESUMED')).toHaveLength(1);
    expect(fake.connectedSessions).toBe(1);
  });

  it('resumes a dropped session and replays missed events', async () => {
    fake = await startWorld({ heartbeatIntervalMs: 200 });
    ({ client } = await login(fake));
    const c = client;
    // Kill the socket abruptly (as a network drop would); discord.js resumes on the resume_gateway_url.
    const resumed = new Promise<void>((resolve) => c.once(Events.ShardResume, () => resolve()));
    fake.dropGatewayConnections();
    const msg = new Promise<string>((resolve) => c.once(Events.MessageCreate, (m) => resolve(m.content)));
    fake.postMessage({
      guildId: GUILD_ID,
      channelId: TEXT_CHANNEL_ID,
      userId: '900000000000000100',
      content: 'while away',
    });
    await resumed;
    expect(await msg).toBe('while away');
    expect(fake.dispatched.map((d) => d.t)).toContain('RESUMED');
    expect(fake.gatewayErrors).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_DEFINITIONS } from '../../src/discord/commands/definitions/index.ts';
import { COMMAND_HANDLERS } from '../../src/discord/commands/commandHandlers.ts';
import { GUILD_ID, OTHER_GUILD_ID, startBotHarness, type BotHarness } from '../support/botHarness.ts';

const run = promisify(execFile);
const NODE = process.execPath;

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness();
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const registrations = () => h.fake.calls.filter((c) => c.method === 'PUT' && c.path.includes('/commands'));

describe('command registration', () => {
  it('registers every command in every server at start-up, as admin-only guild commands', async () => {
    console.log(`start-up to ready (app, login, command registration): ${h.bot.readyMs.toFixed(0)} ms`);
    expect(
      registrations()
        .map((c) => c.path)
        .sort(),
    ).toEqual(
      [GUILD_ID, OTHER_GUILD_ID].map((g) => `/applications/${h.fake.applicationId}/guilds/${g}/commands`).sort(),
    );
    const registered = h.fake.registeredCommands(GUILD_ID) as Array<Record<string, unknown>>;
    expect(registered.map((c) => c.name)).toEqual([
      'redeem',
      'giftcode',
      'member',
      'alliance',
      'autoredeem',
      'giftbot',
      'me',
    ]);
    for (const command of registered.filter((c) => c.name !== 'me')) {
      expect(command).toMatchObject({ default_member_permissions: '32', contexts: [0], type: 1 });
    }
    // `/me` is every member's: no Manage Server needed, inside servers only.
    expect(registered.find((c) => c.name === 'me')).toMatchObject({ default_member_permissions: null, contexts: [0] });
    const redeem = registered.find((c) => c.name === 'redeem');
    expect(redeem?.options).toEqual([
      expect.objectContaining({ type: 3, name: 'code', required: true }),
      expect.objectContaining({ type: 3, name: 'alliance', autocomplete: true }),
      expect.objectContaining({ type: 3, name: 'game' }),
      expect.objectContaining({ type: 3, name: 'member' }),
    ]);
    const member = registered.find((c) => c.name === 'member') as {
      options: Array<{ name: string; type: number; options?: Array<{ name: string; type: number }> }>;
    };
    expect(member.options.map((o) => `${o.name}:${o.type}`)).toEqual([
      'add:1',
      'remove:1',
      'list:1',
      'resolve:1',
      'import:1',
      'move:1',
      'unlink:1',
    ]);
    expect(member.options.find((o) => o.name === 'import')?.options?.map((o) => `${o.name}:${o.type}`)).toEqual([
      'file:11',
      'skip_invalid:5',
      'alliance:3',
    ]);
    expect(h.fake.registeredCommands()).toEqual([]); // nothing global unless asked
  });

  it('has a handler for every definition and no handler without one', () => {
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual(COMMAND_DEFINITIONS.map((d) => d.name).sort());
  });

  it('does not register again on a restart when the definitions did not change', async () => {
    const before = registrations().length;
    const hashFile = JSON.parse(readFileSync(join(h.dir, 'discord-commands.json'), 'utf8')) as {
      registered: Record<string, string>;
    };
    expect(Object.keys(hashFile.registered).sort()).toEqual(
      [GUILD_ID, OTHER_GUILD_ID].map((g) => `${h.fake.applicationId}/guild/${g}`).sort(),
    );
    await h.restart();
    expect(registrations().length).toBe(before);
  });

  it('deploy-commands overwrites per server idempotently (same ids), and --global registers once for all', async () => {
    const env = { ...process.env, ...h.env, LOG_LEVEL: 'silent' };
    const first = await run(NODE, ['scripts/deployCommands.ts', '--guild', GUILD_ID], { env });
    expect(first.stdout).toContain(`Registered 7 commands in server ${GUILD_ID}.`);
    const ids = (h.fake.registeredCommands(GUILD_ID) as Array<{ id: string }>).map((c) => c.id);
    const second = await run(NODE, ['scripts/deployCommands.ts'], { env });
    // Without --guild: every server the bot is in.
    expect(second.stdout).toContain(`in server ${GUILD_ID}`);
    expect(second.stdout).toContain(`in server ${OTHER_GUILD_ID}`);
    expect((h.fake.registeredCommands(GUILD_ID) as Array<{ id: string }>).map((c) => c.id)).toEqual(ids);
    expect(h.fake.registeredCommands(GUILD_ID)).toHaveLength(7);

    const global = await run(NODE, ['scripts/deployCommands.ts', '--global'], { env });
    expect(global.stdout).toContain('Registered 7 commands globally.');
    expect((h.fake.registeredCommands() as Array<{ name: string }>).map((c) => c.name)).toContain('redeem');
  });

  it('deploy-commands refuses a malformed server id without calling Discord', async () => {
    const before = h.fake.calls.length;
    const failure = await run(NODE, ['scripts/deployCommands.ts', '--guild', 'my-server'], {
      env: { ...process.env, ...h.env },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('not a server id: my-server');
    expect(h.fake.calls.length).toBe(before);
  });
});

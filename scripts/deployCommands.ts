// npm run deploy-commands -- [--guild <id>]... [--global]
// Registers giftbot's slash commands with one bulk overwrite per scope (idempotent: run it as often as you like).
// Without options: every server the bot is in. Records what it registered, so start-up does not register again.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Events, GatewayIntentBits, REST } from 'discord.js';
import { loadConfigOrExit } from '../src/bootstrap.ts';
import { definitionsHash, openCommandHashFile, scopeKey } from '../src/discord/commands/commandHashFile.ts';
import { registerCommands, registrationPayload } from '../src/discord/commands/registerCommands.ts';
import { inviteUrl } from '../src/discord/invitePermissions.ts';

const USAGE = 'npm run deploy-commands -- [--guild <id>]... [--global]';

const { values } = parseArgs({
  options: { guild: { type: 'string', multiple: true }, global: { type: 'boolean' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(
    `${USAGE}\n  --guild <id>  register in this server (repeatable); default: every server the bot is in\n  --global      register once for every server (they can take a while to appear)\n`,
  );
  process.exit(0);
}
const bad = (values.guild ?? []).filter((id) => !/^\d{5,25}$/.test(id));
if (bad.length > 0) {
  process.stderr.write(`deploy-commands: not a server id: ${bad.join(', ')}\nUsage: ${USAGE}\n`);
  process.exit(2);
}

const config = loadConfigOrExit();
const discord = config.discord;
if (!discord) {
  process.stderr.write('deploy-commands: DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set (see .env.example).\n');
  process.exit(2);
}
const api = discord.apiBase ? { api: discord.apiBase } : {};
const rest = new REST(api).setToken(discord.token);

/** The servers the bot is in, from a short gateway login (no extra permission needed). */
async function joinedGuilds(): Promise<string[]> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: api });
  try {
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(discord!.token);
    await ready;
    return [...client.guilds.cache.keys()];
  } finally {
    await client.destroy();
  }
}

let targets: (string | null)[];
try {
  targets = values.global ? [null] : values.guild && values.guild.length > 0 ? values.guild : await joinedGuilds();
} catch (error) {
  process.stderr.write(
    `deploy-commands: could not log in to Discord: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
if (targets.length === 0) {
  process.stdout.write(
    `The bot is in no server yet: invite it first with\n  ${inviteUrl(discord.applicationId)}\nthen run this again (or use --global).\n`,
  );
  process.exit(0);
}

const hashes = openCommandHashFile(join(dirname(config.databasePath), 'discord-commands.json'));
const hash = definitionsHash(registrationPayload());
let failed = 0;
for (const guildId of targets) {
  const where = guildId === null ? 'globally' : `in server ${guildId}`;
  try {
    const count = await registerCommands({ rest, applicationId: discord.applicationId, guildId });
    await hashes.set(scopeKey(discord.applicationId, guildId), hash);
    process.stdout.write(`Registered ${count} commands ${where}.\n`);
  } catch (error) {
    failed += 1;
    process.stderr.write(`Could not register ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);

import { parseArgs } from 'node:util';
import { isGame } from '../../game/games.ts';
import { formatImportReport } from '../../importer/formatImportReport.ts';
import { importWhiteoutBot } from '../../importer/whiteoutBot/importWhiteoutBot.ts';
import { ImportSourceError } from '../../importer/whiteoutBot/readWhiteoutBot.ts';
import { ImportVerificationError } from '../../store/importVerificationError.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand } from '../cliContext.ts';

export const IMPORT_USAGE =
  'giftbot import whiteout-bot <folder> [--dry-run] [--game wos|kingshot] [--guild <allianceId>=<discordServerId>]... [--json]';

export const importCommand: CliCommand = async (args, { app, out }) => {
  const [source, ...rest] = args;
  if (source !== 'whiteout-bot') {
    throw new CliError(
      `Unknown import source "${source ?? ''}": giftbot imports from the Python whiteout-bot.\nUsage: ${IMPORT_USAGE}`,
    );
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      game: { type: 'string' },
      guild: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
  });
  const [folder] = positionals;
  if (!folder)
    throw new CliError(`The Python bot's folder is required (the one with db/users.sqlite).\nUsage: ${IMPORT_USAGE}`);
  const game = values.game ?? 'wos';
  if (!isGame(game)) throw new CliError(`--game must be wos or kingshot, got "${game}"`);
  const guildFor = new Map<string, string>();
  for (const mapping of values.guild ?? []) {
    const match = /^([^=]+)=([1-9]\d{4,24})$/.exec(mapping.trim());
    if (!match)
      throw new CliError(`--guild must be <allianceId>=<discordServerId> (a numeric server id), got "${mapping}"`);
    guildFor.set(match[1]!.trim(), match[2]!);
  }
  try {
    const report = await importWhiteoutBot(app.store, folder, {
      dryRun: values['dry-run'] ?? false,
      game,
      guildFor,
      log: app.log,
    });
    if (values.json) out(JSON.stringify(report));
    else for (const line of formatImportReport(report)) out(line);
    return 0;
  } catch (error) {
    if (error instanceof ImportSourceError) throw new CliError(`${error.message}. Nothing was imported.`);
    if (error instanceof ImportVerificationError) throw new CliError(error.message, 1);
    throw error;
  }
};

import { LANGUAGES, isLanguage, type Language } from '../../i18n/languages.ts';
import { SELF_JOIN_MODES, type AllianceRecord, type SelfJoinMode } from '../../store/types.ts';
import { CliError } from '../cliError.ts';
import type { CliContext } from '../cliContext.ts';
import { listNames } from '../../alliances/chooseAlliance.ts';
import { requireAlliances, resolveCliAlliance } from './cliAlliance.ts';

const LANGUAGE_VALUES = ['auto', ...LANGUAGES].join('|');

export const ALLIANCE_EDIT_USAGE = [
  'giftbot alliance edit <guildId> [--name <text>] [--self-join open|approve|off] [--language ' + LANGUAGE_VALUES + ']',
  '   (--self-join: who may join with /me link; --language: the language of its Discord posts, auto = the server’s)',
].join('\n       ');

/**
 * `giftbot alliance edit`: the alliance named by --name (or the server's only one) gets the settings given:
 * --self-join, who may join with `/me link` (open: at once; approve: an admin approves in the results channel; off),
 * and --language, the language of its posts in Discord (`auto`: the server's preferred locale).
 */
export async function editAlliance(
  ctx: CliContext,
  guildId: string | undefined,
  values: { name?: string; 'self-join'?: string; language?: string },
  usage: string,
): Promise<number> {
  const changes = parseChanges(values, usage);
  // --name picks the alliance here (as for `alliance remove`); the server's only one when it is left out.
  const alliances = await requireAlliances(ctx, guildId, usage);
  if (values.name === undefined && alliances.length > 1)
    throw new CliError(
      `Guild ${guildId} has ${alliances.length} alliances (${listNames(alliances.map((a) => a.name))}): say which one with --name <alliance>.`,
    );
  const alliance = await resolveCliAlliance(ctx, guildId, values.name, usage);
  const updated = await ctx.app.store.alliances.update(alliance.id, changes);
  if (!updated) throw new CliError(`The alliance "${alliance.name}" was removed meanwhile.`);
  const said = [
    ...(changes.selfJoin !== undefined ? [`self-join ${updated.selfJoin}`] : []),
    ...(changes.language !== undefined ? [`language ${updated.language ?? "auto (the server's)"}`] : []),
  ];
  ctx.out(`Alliance "${updated.name}" of guild ${updated.guildId}: ${said.join(', ')}.`);
  return 0;
}

function parseChanges(
  values: { 'self-join'?: string; language?: string },
  usage: string,
): Partial<Pick<AllianceRecord, 'selfJoin' | 'language'>> {
  const selfJoin = values['self-join'];
  const language = values.language;
  if (selfJoin === undefined && language === undefined)
    throw new CliError(`Nothing to change: give --self-join open|approve|off or --language.\nUsage: ${usage}`);
  const problems: string[] = [];
  if (selfJoin !== undefined && !SELF_JOIN_MODES.includes(selfJoin as SelfJoinMode))
    problems.push(`--self-join must be open, approve or off (not "${selfJoin}").`);
  if (language !== undefined && language !== 'auto' && !isLanguage(language))
    problems.push(`--language must be one of ${LANGUAGE_VALUES.replaceAll('|', ', ')} (not "${language}").`);
  if (problems.length > 0) throw new CliError(`${problems.join('\n')}\nUsage: ${usage}`);
  return {
    ...(selfJoin !== undefined ? { selfJoin: selfJoin as SelfJoinMode } : {}),
    ...(language !== undefined ? { language: language === 'auto' ? null : (language as Language) } : {}),
  };
}

// The translation catalogue against English and Discord's limits: a language missing a text English has, a text
// whose {{variables}} differ from English's, or a text Discord would refuse or cut fails here, not in a server.
import { Locale } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { COMMAND_DEFINITIONS } from '../../src/discord/commands/definitions/index.ts';
import { registrationPayload } from '../../src/discord/commands/registerCommands.ts';
import { AREAS, CATALOGUES, type Catalogue } from '../../src/i18n/catalogues.ts';
import { DISCORD_LOCALES, LANGUAGES, type Language } from '../../src/i18n/languages.ts';

const PLURAL = /^(.*)_(zero|one|two|few|many|other)$/;
// Discord's rule for command and option names (lowercase where a lowercase form exists).
const COMMAND_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/** Texts by key, plural forms grouped under their base key. */
function groups(lang: Language): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, text] of flatten(CATALOGUES[lang])) {
    const plural = PLURAL.exec(key);
    const base = plural?.[1] ?? key;
    const form = plural?.[2] ?? '';
    out.set(base, (out.get(base) ?? new Map()).set(form, text));
  }
  return out;
}

const vars = (texts: Iterable<string>) =>
  [...new Set([...texts].flatMap((text) => [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1])))].sort();

const ENGLISH = groups('en');
const OTHERS = LANGUAGES.filter((lang) => lang !== 'en');

describe('the areas of the catalogue', () => {
  it('no two areas share a top-level section (one would hide the other)', () => {
    const owners = new Map<string, number>();
    const shared: string[] = [];
    AREAS.forEach((area, i) => {
      for (const lang of LANGUAGES)
        for (const section of Object.keys(area.TEXTS[lang])) {
          if ((owners.get(`${lang}:${section}`) ?? i) !== i) shared.push(`${lang}: ${section}`);
          owners.set(`${lang}:${section}`, i);
        }
    });
    expect(shared).toEqual([]);
  });
});

describe('every language has every text English has, with the same variables', () => {
  it.each(OTHERS)('%s', (lang) => {
    const mine = groups(lang);
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    const missing: string[] = [];
    const wrongVars: string[] = [];
    for (const [key, english] of ENGLISH) {
      const texts = mine.get(key);
      if (!texts) {
        missing.push(key);
        continue;
      }
      // A plural text needs every form the language's plural rules use (Russian: one, few, many, other).
      const forms = english.has('') ? [''] : categories;
      for (const form of forms) if (!texts.has(form)) missing.push(`${key}_${form}`);
      if (vars(texts.values()).join() !== vars(english.values()).join())
        wrongVars.push(`${key}: ${vars(texts.values()).join()} ≠ English ${vars(english.values()).join()}`);
    }
    expect(missing, `${lang} lacks texts English has`).toEqual([]);
    expect(wrongVars, `${lang} texts whose variables differ from English`).toEqual([]);
    const extra = [...mine.keys()].filter((key) => !ENGLISH.has(key));
    expect(extra, `${lang} has texts English no longer has`).toEqual([]);
  });
});

// Every text that is not a command's is shown in an embed or a component: its Discord limit, by key.
const LIMITS: Array<[RegExp, number, string]> = [
  [/^(progress\.title|summary\.title\..*|stateSearch\.progressTitle|stateSearch\.title\..*)$/, 256, 'embed title'],
  // The runs area's reasons also answer a member directly (a refused /redeem): message content, the stricter limit.
  [/^summary\.because\..*$/, 2000, 'message content'],
  [/^(summary\.notRecorded|progress\.moved(To|Nowhere))$/, 4096, 'embed description'],
  [/^errors\.runCrashedTitle$/, 256, 'embed title'],
  [/^giftcode\.list\.title$/, 256, 'embed title'],
  [/^giftcode\..*$/, 2000, 'message content'],
  [/^giftbot\.(title|runsHere|waitingHere|wholeBot|rateBudget|redis|lastErrors)$/, 256, 'embed title or field name'],
  [/^giftbot\..*$/, 1024, 'embed field value'],
  [/^(redeemReply|retry|codeCheck)\..*$/, 2000, 'message content'],
  [
    /^(progress\.(success|already|failed|retrying)|summary\.(success|already|failed|doneBefore|retryLater|skipped|notCalled|why|alliances)|stateSearch\.(found|notFound|noSuchPlayer|members|catchUp))$/,
    256,
    'embed field name',
  ],
  [
    /^(reason\..*|summary\.(moreReasons|allianceHave|allianceFailed)|stateSearch\.(more|catchUpCounts|member\..*|why\..*))$/,
    1024,
    'embed field value',
  ],
  [
    /^(progress\.processed|summary\.sentence\..*|stateSearch\.(progressDone|progressPace|sentence\..*))$/,
    4096,
    'embed description',
  ],
  [/^(trigger\..*|progress\.footer|summary\.(runId|apiCalls|seconds)|stateSearch\.footer)$/, 2048, 'embed footer'],
  [/^summary\.retryButton$/, 80, 'button label'],
  [/^errors\..*$/, 2000, 'message content'],
  [/^alliance\.listTitle$/, 256, 'embed title'],
  [/^alliance\.(listLine|listEmpty)$/, 4096, 'embed description'],
  [/^alliance\.(removeButton|keepButton)$/, 80, 'button label'],
  // Replies, and the pieces of a reply (settings, on/off, a language's name).
  [/^(alliance\..*|language\..*)$/, 2000, 'message content'],
  // Members helping themselves: private answers, DMs and posts are message content; /me status is an embed.
  [/^(me|dm|selfAdmin)\..*$/, 2000, 'message content'],
  [/^meStatus\..*$/, 256, 'embed field name'],
  [/^failure\..*$/, 1024, 'embed field value'],
  [/^approval\.(approve|reject)Button$/, 80, 'button label'],
  [/^approval\.title$/, 256, 'embed title'],
  [/^approval\..*$/, 2000, 'message content'],
  // The admin area (locales/admin): the roster list and the settings embed, then answers as message content.
  [/^members\.list\.(previous|next)$/, 80, 'button label'],
  [/^members\.(list\.(title|titleOf)|import\.(refusedTitle|doneTitle))$/, 256, 'embed title'],
  [/^members\.list\.(page|pageWithLegend)$/, 2048, 'embed footer'],
  [
    /^members\.(list\.(line|empty)|import\.(refused|badLine|moreBadLines|counts|countsMoved))$/,
    4096,
    'embed description',
  ],
  [/^members\..*$/, 2000, 'message content'],
  [/^autoRedeem\.settings\.title$/, 256, 'embed title'],
  [/^autoRedeem\.settings\..*$/, 256, 'embed field name'],
  [/^autoRedeem\.value\..*$/, 1024, 'embed field value'],
  [/^autoRedeem\..*$/, 2000, 'message content'],
  [/^access\..*$/, 2000, 'message content'],
  [/^upload\..*$/, 2000, 'message content'],
];

// The longest value a variable takes: a 20-character code, a Discord timestamp, a trigger's text, a big number.
const WIDEST: Record<string, number> = {
  code: 20,
  started: 16,
  trigger: 80,
  reason: 40,
  time: 9,
  mark: 2,
  // Self-service: a player id, Discord ids, an alliance name, a list of codes or alliance names, the search's reason.
  fid: 12,
  userId: 20,
  adminId: 20,
  guildId: 20,
  alliance: 100,
  names: 400,
  codes: 300,
  name: 40,
  why: 300,
  what: 100,
  // The admin area: a player with their name, the bad lines of an import (20 listed and a count).
  player: 60,
  rejects: 2400,
  // The codes area: a "where to watch" sentence, alliance names, an exception's text, a message link.
  here: 200,
  choices: 300,
  error: 300,
  detail: 60,
  url: 100,
};
const fill = (text: string) => text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => 'W'.repeat(WIDEST[name] ?? 7));

describe("every text fits Discord's limits", () => {
  it('every text outside the commands has a known limit', () => {
    const unclassified = [...ENGLISH.keys()].filter(
      (key) => !key.startsWith('commands.') && !LIMITS.some(([pattern]) => pattern.test(key)),
    );
    expect(unclassified).toEqual([]);
  });

  it.each(LANGUAGES)('%s', (lang) => {
    const tooLong: string[] = [];
    const badNames: string[] = [];
    for (const [key, text] of flatten(CATALOGUES[lang])) {
      const base = PLURAL.exec(key)?.[1] ?? key;
      if (key.startsWith('commands.')) {
        if (key.endsWith('.name')) {
          if (!COMMAND_NAME.test(text) || text !== text.toLocaleLowerCase(lang)) badNames.push(`${key}: ${text}`);
        } else if (text.length < 1 || text.length > 100) tooLong.push(`${key} (${text.length} > 100)`);
        continue;
      }
      const limit = LIMITS.find(([pattern]) => pattern.test(base));
      const length = fill(text).length;
      if (limit && length > limit[1]) tooLong.push(`${key}: ${limit[2]} ${length} > ${limit[1]}`);
    }
    expect(badNames, `${lang} command names Discord refuses`).toEqual([]);
    expect(tooLong, `${lang} texts over Discord's limits`).toEqual([]);
  });
});

interface Item {
  name: string;
  description?: string;
  options?: Item[];
  choices?: Array<{ name: string; value: string | number }>;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
}

/** Every command, subcommand, option and choice with its catalogue key. */
function items(list: readonly Item[], parent = 'commands'): Array<[string, Item]> {
  return list.flatMap((item) => {
    const key = `${parent}.${item.name}`;
    const choices = (item.choices ?? []).map((choice): [string, Item] => [
      `${key}.choices.${choice.value}`,
      choice as unknown as Item,
    ]);
    return [[key, item] as [string, Item], ...items(item.options ?? [], `${key}.options`), ...choices];
  });
}

describe('the command definitions and the catalogue', () => {
  const english = flatten(CATALOGUES.en);
  const definitions = items(COMMAND_DEFINITIONS as unknown as Item[]);

  it('English has every command, subcommand, option and choice as defined (names and descriptions)', () => {
    const stale = definitions.flatMap(([key, item]) =>
      key.includes('.choices.')
        ? english.get(key) === item.name
          ? []
          : [`${key}: ${english.get(key)} ≠ ${item.name}`]
        : [
            ...(english.get(`${key}.name`) === item.name ? [] : [`${key}.name`]),
            ...(english.get(`${key}.description`) === item.description ? [] : [`${key}.description`]),
          ],
    );
    expect(stale, 'definitions changed without the catalogue (src/i18n/locales/commands/en.json)').toEqual([]);
    const defined = new Set(
      definitions.flatMap(([key]) => (key.includes('.choices.') ? [key] : [`${key}.name`, `${key}.description`])),
    );
    expect([...english.keys()].filter((key) => key.startsWith('commands.') && !defined.has(key))).toEqual([]);
  });

  it('the registration payload carries every language for every command, subcommand, option and choice', () => {
    const locales = OTHERS.flatMap((lang) => DISCORD_LOCALES[lang]).sort();
    const known = new Set<string>(Object.values(Locale));
    expect(locales.filter((locale) => !known.has(locale))).toEqual([]);
    for (const [key, item] of items(registrationPayload() as Item[])) {
      expect(Object.keys(item.name_localizations ?? {}).sort(), `${key} name_localizations`).toEqual(locales);
      if (!key.includes('.choices.'))
        expect(Object.keys(item.description_localizations ?? {}).sort(), `${key} description`).toEqual(locales);
    }
    const redeem = (registrationPayload() as Item[]).find((c) => c.name === 'redeem');
    expect(redeem?.description_localizations).toMatchObject({
      de: expect.stringContaining('Geschenkcode'),
      'es-ES': expect.stringContaining('código de regalo'),
      'es-419': expect.stringContaining('código de regalo'),
      ru: expect.stringContaining('подарочный код'),
    });
    // The definitions themselves stay plain English data.
    expect(JSON.stringify(COMMAND_DEFINITIONS)).not.toContain('localizations');
  });
});

import { describe, expect, it } from 'vitest';
import { configSecrets, loadConfig } from '../../src/config/config.ts';

const problemsOf = (env: Record<string, string>) => {
  const result = loadConfig(env);
  return result.ok ? [] : result.problems;
};

describe('discovery configuration', () => {
  it('reads feeds, pacing and test players; defaults poll every 5–10 min, back off 30 s to 5 min', () => {
    const result = loadConfig({
      CODE_FEEDS: JSON.stringify([
        { url: 'https://codes.example.org/api/codes', game: 'wos', format: 'community', apiKey: 'k3y-s3cr3t-123' },
        { name: 'ks-list', url: 'http://127.0.0.1:9/list.json', game: 'kingshot', format: 'list' },
      ]),
      TEST_PLAYER_WOS: '45379845:245',
    });
    if (!result.ok) throw new Error(result.problems.join('; '));
    const d = result.config.discovery;
    expect(d.feeds).toEqual([
      {
        name: 'codes.example.org/api/codes',
        url: 'https://codes.example.org/api/codes',
        game: 'wos',
        format: 'community',
        apiKey: 'k3y-s3cr3t-123',
      },
      { name: 'ks-list', url: 'http://127.0.0.1:9/list.json', game: 'kingshot', format: 'list', apiKey: null },
    ]);
    expect(d).toMatchObject({
      pollMinMs: 300_000,
      pollMaxMs: 600_000,
      backoffMinMs: 30_000,
      backoffMaxMs: 300_000,
      testPlayers: { wos: { fid: '45379845', state: 245 } },
    });
    // The feed key never reaches a log line.
    expect(configSecrets(result.config)).toContain('k3y-s3cr3t-123');
  });

  it('every problem in CODE_FEEDS is listed, entry by entry, without echoing the URL', () => {
    const problems = problemsOf({
      CODE_FEEDS: JSON.stringify([
        { url: 'ftp://x.example/?key=SECRETKEY', game: 'wos' },
        { url: 'https://a.example/codes', game: 'whiteout', format: 'csv', apikey: 'x' },
        'https://b.example',
        { name: 'dup', url: 'https://c.example', game: 'wos' },
        { name: 'dup', url: 'https://d.example', game: 'wos' },
      ]),
    });
    expect(problems).toEqual([
      'CODE_FEEDS entry 1 "url" must start with http:// or https://, got ftp://',
      'CODE_FEEDS entry 2 has an unknown field "apikey" (known: name, url, game, format, apiKey)',
      'CODE_FEEDS entry 2 "game" must be one of wos, kingshot, got "whiteout"',
      'CODE_FEEDS entry 2 "format" must be one of community, list, text, got "csv"',
      'CODE_FEEDS entry 3 must be an object with url, game and format',
      'CODE_FEEDS entry 5: the name "dup" is used twice; give each feed its own "name"',
    ]);
    expect(problems.join('\n')).not.toContain('SECRETKEY');
    expect(problemsOf({ CODE_FEEDS: '{url:' })[0]).toMatch(/^CODE_FEEDS is not valid JSON/);
    expect(problemsOf({ CODE_FEEDS: '{"url":"https://a.example"}' })).toEqual([
      expect.stringMatching(/^CODE_FEEDS must be a JSON array/),
    ]);
  });

  it('test players and pacing keys are checked', () => {
    expect(
      problemsOf({
        TEST_PLAYER_WOS: '45379845',
        TEST_PLAYER_KINGSHOT: 'abc:1',
        FEED_POLL_MIN_MS: '5000',
        FEED_POLL_MAX_MS: '1000',
        FEED_BACKOFF_MIN_MS: 'soon',
      }),
    ).toEqual([
      'FEED_POLL_MAX_MS (1000) must not be below FEED_POLL_MIN_MS (5000)',
      'FEED_BACKOFF_MIN_MS must be a whole number, got "soon"',
      'TEST_PLAYER_WOS must be <player id>:<state>, e.g. 45379845:245, got "45379845"',
      'TEST_PLAYER_KINGSHOT must be <player id>:<state>, e.g. 45379845:245, got "abc:1"',
    ]);
  });
});

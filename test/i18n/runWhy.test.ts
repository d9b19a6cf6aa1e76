// The reasons a run stopped or did not run, given as data for Discord, say in English exactly what the engine's
// English sentence says (the CLI and the logs print that one): one meaning, whatever language reads it.
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/game/classifyAnswer.ts';
import { normalizeCode } from '../../src/game/giftCode.ts';
import { t } from '../../src/i18n/i18n.ts';
import { resolveAllianceScope } from '../../src/redeem/allianceScope.ts';
import { describeStop, stopWhy, type StopReason } from '../../src/redeem/stopReasons.ts';
import type { AllianceRecord } from '../../src/store/types.ts';

const dead = (reason: 'expired' | 'not-found' | 'used-up'): Classification => ({
  kind: 'code-final',
  reason,
  errCode: 40007,
  msg: 'TIME ERROR.',
  httpStatus: 200,
});

const STOPS: StopReason[] = [
  { kind: 'code-final', classification: dead('expired') },
  { kind: 'code-final', classification: dead('used-up') },
  { kind: 'code-final', classification: dead('not-found') },
  {
    kind: 'config-error',
    classification: { kind: 'config-error', reason: 'sign-error', errCode: 40001, msg: 'Sign Error', httpStatus: 200 },
  },
  { kind: 'lock-lost' },
  { kind: 'stale-fence' },
  { kind: 'shutdown' },
  { kind: 'server-left' },
];

describe('a reason as data reads in English as the engine says it', () => {
  it.each(STOPS)('stop $kind', (stop) => {
    const why = stopWhy(stop, 'VIP888')!;
    expect(t('en', `summary.because.${why.key}`, why.vars)).toBe(describeStop(stop, 'VIP888'));
    expect(t('de', `summary.because.${why.key}`, why.vars)).not.toBe(describeStop(stop, 'VIP888'));
  });

  const alliance = (id: number, name: string, game: 'wos' | 'kingshot') => ({ id, name, game }) as AllianceRecord;
  const store = (alliances: AllianceRecord[]) => ({ alliances: { list: async () => alliances } }) as never;
  const wos = alliance(1, 'North', 'wos');
  const wos2 = alliance(3, 'South', 'wos');
  const ks = alliance(2, 'Kings', 'kingshot');
  it.each([
    ['no alliance', [], {}],
    ['none named', [wos], { allianceIds: [] }],
    ['missing', [wos], { allianceIds: [9] }],
    ['wrong game (one)', [wos, ks], { allianceIds: [1], game: 'kingshot' }],
    ['wrong game (two)', [wos, wos2, ks], { allianceIds: [1, 3], game: 'kingshot' }],
    ['mixed games', [wos, ks], { allianceIds: [1, 2] }],
    ['both games', [wos, ks], {}],
    ['no alliance of the game', [ks], { game: 'wos' }],
  ] as const)('scope: %s', async (_, alliances, options) => {
    const scope = await resolveAllianceScope(store([...alliances]), 'g1', options as never);
    if (scope.ok) throw new Error('expected a refusal');
    expect(t('en', `summary.because.${scope.why.key}`, scope.why.vars)).toBe(scope.message);
  });

  it.each(['', 'AB', 'A'.repeat(30), 'CODE-1!', 'AB\tCD', 'AB\nCD', 'AB\u0000CD', 'AB CD', 'AB\u0007CD', 'AB\u00a0CD'])(
    'a malformed code: %j',
    (raw) => {
      const parsed = normalizeCode(raw);
      if (parsed.ok) throw new Error('expected a malformed code');
      expect(t('en', `codeCheck.${parsed.problem.key}`, parsed.problem.vars)).toBe(
        `That is not a gift code: ${parsed.reason}.`,
      );
    },
  );
});

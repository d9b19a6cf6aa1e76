// The Approve / Reject button ids carry the member's locale (for the DM about the decision) within Discord's 100
// characters; ids posted before the locale was kept still parse.
import { describe, expect, it } from 'vitest';
import { parseSelfJoinId, selfJoinButtonId, type SelfJoinAction } from '../../src/discord/selfJoinIds.ts';

const widest: SelfJoinAction = {
  allianceId: 999_999_999_999_999,
  fid: '999999999999',
  userId: '999999999999999999999',
  state: null,
  triedState: 999_999,
  approve: false,
  locale: 'es-419',
};

describe('self-join button ids', () => {
  it('round-trip with the locale, within 100 characters at the widest', () => {
    const id = selfJoinButtonId(widest);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseSelfJoinId(id)).toEqual(widest);
    const approve = { ...widest, state: 245, triedState: null, approve: true, locale: 'pt-BR' };
    expect(parseSelfJoinId(selfJoinButtonId(approve))).toEqual(approve);
  });

  it('an id without a locale (posted before it was kept) parses with none; a malformed locale is left out', () => {
    expect(parseSelfJoinId('giftbot:join:7:70000004:910000000000000203:245:yes')).toMatchObject({
      state: 245,
      approve: true,
      locale: null,
    });
    const id = selfJoinButtonId({ ...widest, locale: 'not a locale:yes' });
    expect(parseSelfJoinId(id)).toEqual({ ...widest, locale: null });
  });
});

import { describe, expect } from 'vitest';
import { createGiftCodeClient } from '../../src/game/giftCodeClient.ts';
import { normalizeCode } from '../../src/game/giftCode.ts';
import { it } from '../support/fixtures.ts';

// The rules for a pasted code are unit-tested in sign.test.ts; this one needs the simulator to accept the request.
describe('codes pasted from chat', () => {
  it('invisible characters are stripped, so the game accepts the request (no Sign Error)', async ({ startSim }) => {
    const sim = await startSim({ rateLimit: null, playerSpacingMs: 0 });
    sim.addPlayer('kingshot', { fid: '7001', kid: 12 });
    sim.addCode('kingshot', 'KSHOT2026');
    const client = createGiftCodeClient({ apiBases: { kingshot: sim.apiBase('kingshot') } });
    const pasted = '\u200bKSHOT2026\u200e\ufeff';
    const normalized = normalizeCode(pasted);
    expect(normalized).toEqual({ ok: true, code: 'KSHOT2026' });
    const answer = await client.redeem({ game: 'kingshot', fid: '7001', kid: 12, code: pasted });
    await client.close();
    expect(answer.body).toMatchObject({ err_code: 20000, msg: 'SUCCESS' });
    expect(sim.calls[0]?.cdk).toBe('KSHOT2026');
  });
});

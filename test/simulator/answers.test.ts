import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gameInfo } from '../../src/game/games.ts';
import { signParams } from '../../src/game/sign.ts';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { BODY, get, post, redeem } from './helpers.ts';

// Every answer row of the spec, with rate limit and spacing off so only the game rules speak.
describe('gift_code answers', () => {
  let sim: GameApiSimulator;

  beforeAll(async () => {
    sim = await startGameApiSimulator({ rateLimit: false, playerSpacingMs: 0 });
    sim.addPlayers('wos', [
      { fid: '1001', kid: 245 },
      { fid: '1002', kid: 245 },
      { fid: '1003', kid: 245 },
      { fid: '1004', kid: 245, stoveLv: 10 },
      { fid: '1005', kid: 245, rechargeMoney: 50, vip: 3 },
      { fid: '1006', kid: 245, rechargeMoney: 500, vip: 8 },
    ]);
    sim.addCode('wos', 'OPEN');
    sim.addCode('wos', 'OLD', { status: 'expired' });
    sim.addCode('wos', 'GONE', { status: 'used-up' });
    sim.addCode('wos', 'TWOONLY', { claimLimit: 2 });
    sim.addCode('wos', 'GROUPA1', { sameTypeGroup: 'A' });
    sim.addCode('wos', 'GROUPA2', { sameTypeGroup: 'A' });
    sim.addCode('wos', 'FURNACE', { minStoveLv: 20 });
    sim.addCode('wos', 'SPENDER', { minRechargeMoney: 100 });
    sim.addCode('wos', 'VIPONLY', { minVip: 5 });
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.resetCalls();
  });

  it('redeems a valid code: SUCCESS, HTTP 200, JSON, and records the claim', async () => {
    const r = await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'OPEN' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.text).toBe(BODY.success);
    expect(sim.successes('wos', 'OPEN')).toEqual(['1001']);
  });

  it('answers RECEIVED. when the player already has the code', async () => {
    await redeem(sim, 'wos', { fid: '1002', kid: 245, cdk: 'OPEN' });
    const r = await redeem(sim, 'wos', { fid: '1002', kid: 245, cdk: 'OPEN' });
    expect(r.status).toBe(200);
    expect(r.text).toBe(BODY.received);
    expect(sim.successes('wos', 'OPEN').filter((f) => f === '1002')).toHaveLength(1);
  });

  it('answers CDK NOT FOUND. for an unknown code (codes are case-sensitive)', async () => {
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'NOSUCHCODE12345X' })).text).toBe(BODY.notFound);
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'open' })).text).toBe(BODY.notFound);
  });

  it('answers TIME ERROR. for an expired code', async () => {
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'OLD' })).text).toBe(BODY.timeError);
  });

  it('answers USED. for a used-up code and once the claim limit is reached', async () => {
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'GONE' })).text).toBe(BODY.used);
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'TWOONLY' })).text).toBe(BODY.success);
    expect((await redeem(sim, 'wos', { fid: '1002', kid: 245, cdk: 'TWOONLY' })).text).toBe(BODY.success);
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'TWOONLY' })).text).toBe(BODY.used);
    // A claimant asking again is told RECEIVED., which the server checks before the limit.
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'TWOONLY' })).text).toBe(BODY.received);
    expect(sim.successes('wos', 'TWOONLY')).toEqual(['1001', '1002']);
  });

  it('answers SAME TYPE EXCHANGE. for a second code of the same group', async () => {
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'GROUPA1' })).text).toBe(BODY.success);
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'GROUPA2' })).text).toBe(BODY.sameType);
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'GROUPA1' })).text).toBe(BODY.received);
    // Another player is unaffected.
    expect((await redeem(sim, 'wos', { fid: '1002', kid: 245, cdk: 'GROUPA2' })).text).toBe(BODY.success);
    expect(sim.successes('wos', 'GROUPA2')).toEqual(['1002']);
  });

  it('answers STOVE_LV ERROR., RECHARGE_MONEY ERROR. and RECHARGE_MONEY_VIP ERROR. for unmet requirements', async () => {
    expect((await redeem(sim, 'wos', { fid: '1004', kid: 245, cdk: 'FURNACE' })).text).toBe(BODY.stoveLv);
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'FURNACE' })).text).toBe(BODY.success); // default level 30
    expect((await redeem(sim, 'wos', { fid: '1005', kid: 245, cdk: 'SPENDER' })).text).toBe(BODY.rechargeMoney);
    expect((await redeem(sim, 'wos', { fid: '1005', kid: 245, cdk: 'VIPONLY' })).text).toBe(BODY.rechargeVip);
    expect((await redeem(sim, 'wos', { fid: '1006', kid: 245, cdk: 'SPENDER' })).text).toBe(BODY.success);
    expect((await redeem(sim, 'wos', { fid: '1006', kid: 245, cdk: 'VIPONLY' })).text).toBe(BODY.success);
    expect(sim.successes('wos', 'FURNACE')).toEqual(['1001']);
  });

  it('answers role not exist. for an unknown fid and USER INFO ERROR. for a wrong kid, before looking at the code', async () => {
    expect((await redeem(sim, 'wos', { fid: '9999', kid: 245, cdk: 'OPEN' })).text).toBe(BODY.roleNotExist);
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 246, cdk: 'OPEN' })).text).toBe(BODY.userInfoError);
    // The state-discovery probe: an impossible code tells a right kid (40014) from a wrong one (40020).
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 246, cdk: 'ZZZZZZZZZZZZZZZ1' })).text).toBe(
      BODY.userInfoError,
    );
    expect((await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'ZZZZZZZZZZZZZZZ1' })).text).toBe(BODY.notFound);
    expect(sim.successes('wos', 'OPEN')).not.toContain('1003');
  });

  it('answers params error for each missing or empty field', async () => {
    for (const field of ['fid', 'cdk', 'kid', 'time']) {
      const missing = await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'OPEN' }, { omit: [field] });
      expect(missing.status, field).toBe(200);
      expect(missing.text, field).toBe(BODY.paramsError);
      const empty = await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'OPEN' }, { override: { [field]: '' } });
      expect(empty.text, field).toBe(BODY.paramsError);
    }
    const noSign = await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'OPEN' }, { omit: ['sign'] });
    expect(noSign.text).toBe(BODY.paramsError);
    expect((await post(`${sim.apiBase('wos')}gift_code`, '')).text).toBe(BODY.paramsError);
    expect(sim.successes('wos', 'OPEN')).not.toContain('1003');
  });

  it("answers Sign Error for a wrong salt, a tampered field, or another game's salt", async () => {
    const wrongSalt = await redeem(sim, 'wos', { fid: '1003', kid: 245, cdk: 'OPEN' }, { salt: 'nope' });
    expect(wrongSalt.status).toBe(200);
    expect(wrongSalt.text).toBe(BODY.signError);
    const tampered = await redeem(
      sim,
      'wos',
      { fid: '1003', kid: 245, cdk: 'OPEN' },
      { override: { cdk: 'OPEN\u200b' } },
    );
    expect(tampered.text).toBe(BODY.signError);
    const kingshotSalt = await redeem(
      sim,
      'wos',
      { fid: '1003', kid: 245, cdk: 'OPEN' },
      { salt: gameInfo('kingshot').salt },
    );
    expect(kingshotSalt.text).toBe(BODY.signError);
    expect(sim.successes('wos', 'OPEN')).not.toContain('1003');
  });

  it('accepts time in seconds or milliseconds, and signs exactly the fields received', async () => {
    sim.addCode('wos', 'MILLIS');
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'MILLIS' }, { time: Date.now() })).text).toBe(
      BODY.success,
    );
    // The spec's example string: a client that signs the same fields gets through even with an extra field.
    const fields = { fid: '1002', cdk: 'MILLIS', kid: '245', time: '1763856000', extra: 'x' };
    const body = new URLSearchParams({ ...fields, sign: signParams(fields, gameInfo('wos').salt) }).toString();
    expect((await post(`${sim.apiBase('wos')}gift_code`, body)).text).toBe(BODY.success);
    expect(sim.successes('wos', 'MILLIS')).toEqual(['1001', '1002']);
  });

  it('keeps games apart: players, codes and salts are per game', async () => {
    sim.addPlayer('kingshot', { fid: '1001', kid: 77 });
    sim.addCode('kingshot', 'KSONLY');
    expect((await redeem(sim, 'kingshot', { fid: '1001', kid: 77, cdk: 'KSONLY' })).text).toBe(BODY.success);
    expect((await redeem(sim, 'kingshot', { fid: '1001', kid: 77, cdk: 'OPEN' })).text).toBe(BODY.notFound);
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'KSONLY' })).text).toBe(BODY.notFound);
    expect((await redeem(sim, 'kingshot', { fid: '1002', kid: 245, cdk: 'KSONLY' })).text).toBe(BODY.roleNotExist);
    expect(sim.successes('kingshot', 'KSONLY')).toEqual(['1001']);
  });

  it('follows setCodeStatus: a code can expire, be used up, or come back', async () => {
    sim.addCode('wos', 'FLIP');
    sim.setCodeStatus('wos', 'FLIP', 'expired');
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'FLIP' })).text).toBe(BODY.timeError);
    sim.setCodeStatus('wos', 'FLIP', 'used-up');
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'FLIP' })).text).toBe(BODY.used);
    sim.setCodeStatus('wos', 'FLIP', 'valid');
    expect((await redeem(sim, 'wos', { fid: '1001', kid: 245, cdk: 'FLIP' })).text).toBe(BODY.success);
    expect(() => sim.setCodeStatus('wos', 'NEVERADDED', 'expired')).toThrow(RangeError);
  });

  it('answers 404 JSON for other paths and 405 for a GET on gift_code', async () => {
    for (const path of ['/', '/wos/api/player', '/nogame/api/gift_code', '/wos/gift_code']) {
      const r = await get(`${sim.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.json, path).toEqual({ message: 'Not Found' });
    }
    const wrongMethod = await get(`${sim.apiBase('wos')}gift_code`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });
});

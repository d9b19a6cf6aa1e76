import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { redeem } from './helpers.ts';

// The simulator answering like the game as other bots now see it (issue 12): so giftbot's tests can meet it.
describe('answer styles and the faults of issue 12', () => {
  let sim: GameApiSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  async function start(): Promise<GameApiSimulator> {
    sim = await startGameApiSimulator({ rateLimit: false, playerSpacingMs: 0 });
    sim.addPlayers('wos', [
      { fid: '4001', kid: 1 },
      { fid: '4002', kid: 1 },
    ]);
    sim.addCode('wos', 'GIFT');
    return sim;
  }

  it('a numeric msg, errCode instead of err_code, no code field; Sign Error stays text; null restores the documented shape', async () => {
    const s = await start();
    s.setAnswerStyle({ msg: 'number', errCodeKey: 'errCode', omitCode: true });
    expect((await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'GIFT' })).text).toBe(
      '{"msg":20000,"data":[],"errCode":20000}',
    );
    expect((await redeem(s, 'wos', { fid: '4002', kid: 1, cdk: 'GIFT' }, { salt: 'wrong' })).json).toMatchObject({
      msg: 'Sign Error',
    });
    s.setAnswerStyle(null);
    expect((await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'GIFT' })).text).toBe(
      '{"code":1,"msg":"RECEIVED.","data":[],"err_code":40008}',
    );
  });

  it("http-500 and http-404 answer Laravel's JSON and redeem nothing", async () => {
    const s = await start();
    s.injectFault({ kind: 'http-500' });
    s.injectFault({ kind: 'http-404' });
    const first = await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'GIFT' });
    const second = await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'GIFT' });
    expect([first.status, first.json]).toEqual([500, { message: 'Server Error' }]);
    expect([second.status, second.json]).toEqual([404, { message: 'Not Found' }]);
    expect(s.successes('wos', 'GIFT')).toEqual([]);
  });

  it('huge-body streams the whole size to a client that reads it, and records what was sent', async () => {
    const s = await start();
    s.injectFault({ kind: 'huge-body', sizeBytes: 3 * 1024 * 1024 });
    const reply = await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'GIFT' });
    expect(reply.text.length).toBe(3 * 1024 * 1024);
    expect(reply.text.startsWith('{"code":0,"msg":"SUCCESS"')).toBe(true);
    await vi.waitFor(() => expect(s.calls[0]!.bodyBytesSent).toBe(3 * 1024 * 1024));
    // It only looks like a success: the world redeemed nothing.
    expect(s.successes('wos', 'GIFT')).toEqual([]);
  });
});

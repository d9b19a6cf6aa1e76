import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGiftCodeClient, type GiftCodeClient } from '../../src/game/giftCodeClient.ts';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';

let sim: GameApiSimulator;
let client: GiftCodeClient;

beforeAll(async () => {
  sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0 });
  sim.addPlayers('wos', [
    { fid: '80000001', kid: 245 },
    { fid: '80000002', kid: 245 },
  ]);
  sim.addCode('wos', 'GATE2026');
  client = createGiftCodeClient({ apiBases: { wos: sim.apiBase('wos') } });
});
afterAll(async () => {
  await client.close();
  await sim.close();
});

describe('the last-moment gate before a request is written', () => {
  it('a request its caller no longer may send never reaches the server', async () => {
    let asked = 0;
    const answer = await client.redeem({
      game: 'wos',
      fid: '80000001',
      kid: 245,
      code: 'GATE2026',
      beforeSend: () => {
        asked += 1;
        return false;
      },
    });
    expect(asked).toBe(1);
    expect(answer.httpStatus).toBe(0);
    expect(answer.transportError?.kind).toBe('aborted');
    expect(sim.calls).toHaveLength(0);
  });

  it('is asked once, after connecting, and lets an allowed request through', async () => {
    const seenBefore: number[] = [];
    const answer = await client.redeem({
      game: 'wos',
      fid: '80000002',
      kid: 245,
      code: 'GATE2026',
      beforeSend: () => {
        seenBefore.push(sim.calls.length);
        return true;
      },
    });
    expect(seenBefore).toEqual([0]);
    expect(answer.httpStatus).toBe(200);
    expect(sim.successes('wos', 'GATE2026')).toEqual(['80000002']);
  });
});

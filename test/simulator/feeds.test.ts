import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { get, post } from './helpers.ts';

describe('code feeds (GET /feeds/{name})', () => {
  let sim: GameApiSimulator;

  beforeAll(async () => {
    sim = await startGameApiSimulator();
  });

  afterAll(async () => {
    await sim.close();
  });

  it('community: {"codes":["CODE DD.MM.YYYY", ...]}, dated today unless the entry carries a date', async () => {
    sim.setFeed('community', { format: 'community', codes: ['ALPHA1', 'BETA2 01.02.2026'] });
    expect(sim.feedUrl('community')).toBe(`${sim.url}/feeds/community`);
    const r = await get(sim.feedUrl('community'));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const body = r.json as { codes: string[] };
    expect(Object.keys(body)).toEqual(['codes']);
    expect(body.codes).toHaveLength(2);
    expect(body.codes[0]).toMatch(/^ALPHA1 \d{2}\.\d{2}\.\d{4}$/);
    const [dd, mm, yyyy] = (body.codes[0] as string).split(' ')[1]!.split('.').map(Number);
    const now = new Date();
    // Dated with the UTC day of setFeed (allow a midnight crossing).
    expect(
      Math.abs(Date.UTC(yyyy!, mm! - 1, dd!) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
    ).toBeLessThanOrEqual(86_400_000);
    expect(body.codes[1]).toBe('BETA2 01.02.2026');
  });

  it('community with an API key: 401 {"error":"Invalid API key"} without or with a wrong X-API-Key', async () => {
    sim.setFeed('keyed', { format: 'community', codes: ['KEYED1 05.05.2026'], apiKey: 'sekrit-key' });
    const none = await get(sim.feedUrl('keyed'));
    expect(none.status).toBe(401);
    expect(none.text).toBe('{"error":"Invalid API key"}');
    const wrong = await get(sim.feedUrl('keyed'), { 'X-API-Key': 'nope' });
    expect(wrong.status).toBe(401);
    const right = await get(sim.feedUrl('keyed'), { 'X-API-Key': 'sekrit-key' });
    expect(right.status).toBe(200);
    expect(right.json).toEqual({ codes: ['KEYED1 05.05.2026'] });
    expect(sim.feedRequests('keyed')).toBe(3);
  });

  it('list: a JSON array of strings; text: one code per line', async () => {
    sim.setFeed('list', { format: 'list', codes: ['L1CODE', 'L2CODE'] });
    const list = await get(sim.feedUrl('list'));
    expect(list.status).toBe(200);
    expect(list.json).toEqual(['L1CODE', 'L2CODE']);

    sim.setFeed('text', { format: 'text', codes: ['T1CODE', 'T2CODE'] });
    const text = await get(sim.feedUrl('text'));
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.text.split('\n').filter(Boolean)).toEqual(['T1CODE', 'T2CODE']);
  });

  it('ETag + If-None-Match: 304 while unchanged, a new ETag and 200 after a change', async () => {
    sim.setFeed('etag', { format: 'list', codes: ['E1CODE'] });
    const first = await get(sim.feedUrl('etag'));
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const notModified = await get(sim.feedUrl('etag'), { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.etag).toBe(etag);
    // A stale validator gets the full answer.
    expect((await get(sim.feedUrl('etag'), { 'If-None-Match': '"stale"' })).status).toBe(200);

    sim.setFeed('etag', { format: 'list', codes: ['E1CODE', 'E2CODE'] });
    const changed = await get(sim.feedUrl('etag'), { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual(['E1CODE', 'E2CODE']);
    expect(changed.headers.etag).not.toBe(etag);
    expect(sim.feedRequests('etag')).toBe(4);
  });

  it('status: answers that status with {"detail": ...}; body: a raw override', async () => {
    sim.setFeed('down', { format: 'community', codes: ['X1CODE'], status: 503 });
    const down = await get(sim.feedUrl('down'));
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ detail: 'Service Unavailable' });

    sim.setFeed('junk', { format: 'community', codes: [], body: '<<not json>>' });
    const junk = await get(sim.feedUrl('junk'));
    expect(junk.status).toBe(200);
    expect(junk.text).toBe('<<not json>>');

    sim.setFeed('junk500', { format: 'list', codes: [], body: 'oops', status: 500 });
    const junk500 = await get(sim.feedUrl('junk500'));
    expect(junk500.status).toBe(500);
    expect(junk500.text).toBe('oops');
  });

  it('delayMs holds the answer back; unknown feeds are 404; only GET is served', async () => {
    sim.setFeed('slow', { format: 'list', codes: ['S1CODE'], delayMs: 400 });
    const t0 = performance.now();
    const slow = await get(sim.feedUrl('slow'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(350);
    expect(slow.json).toEqual(['S1CODE']);

    const missing = await get(sim.feedUrl('nosuchfeed'));
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ detail: 'Not Found' });
    expect(sim.feedRequests('nosuchfeed')).toBe(0);

    expect((await post(sim.feedUrl('slow'), '')).status).toBe(405);
  });

  it('feeds are recorded as calls without a game and never touch the API rate budget', async () => {
    sim.resetCalls();
    sim.setFeed('counted', { format: 'list', codes: [] });
    for (let i = 0; i < 3; i++) await get(sim.feedUrl('counted'));
    expect(sim.calls).toHaveLength(3);
    expect(sim.calls[0]).toMatchObject({
      game: null,
      method: 'GET',
      path: '/feeds/counted',
      httpStatus: 200,
      counted: false,
    });
  });
});

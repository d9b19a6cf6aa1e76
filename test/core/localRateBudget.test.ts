import { afterEach, describe, expect, it } from 'vitest';
import { createLocalRateBudget } from '../../src/pacing/localRateBudget.ts';
import type { RateBudget } from '../../src/pacing/rateBudget.ts';

/** A hand-moved clock: the budget is driven by `observe` after each move, so nothing here depends on real time. */
function manualClock() {
  let t = 0;
  return { now: () => t, set: (ms: number) => void (t = ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Moves the clock, lets the budget look again (observe pumps the queue), and lets granted callers run. */
async function advanceTo(b: RateBudget, clock: ReturnType<typeof manualClock>, ms: number): Promise<void> {
  clock.set(ms);
  b.observe({});
  await settle();
}

let budget: RateBudget | undefined;
afterEach(async () => {
  await budget?.close();
  budget = undefined;
});

/** Acquires a slot and records its label in `granted` when it comes. */
function requester(b: RateBudget, granted: string[]) {
  return (label: string, share?: string) => {
    void b.acquire(share === undefined ? {} : { share }).then(
      () => granted.push(label),
      () => undefined,
    );
  };
}

describe('local rate budget', () => {
  it('alliances take turns: a share served less recently goes before another share’s queued workers', async () => {
    const clock = manualClock();
    budget = createLocalRateBudget({ limit: 1, windowMs: 1_000, marginMs: 50, now: clock.now });
    const granted: string[] = [];
    const ask = requester(budget, granted);
    // Alliance A's workers queue first (A1 takes the only slot), then B's and C's first worker.
    ask('A1', 'A');
    ask('A2', 'A');
    ask('A3', 'A');
    ask('B1', 'B');
    ask('C1', 'C');
    await settle();
    expect(granted).toEqual(['A1']);
    for (let window = 1; window <= 4; window += 1) await advanceTo(budget, clock, window * 1_051);
    // In arrival order it would be A1, A2, A3, B1, C1: B and C would wait for all of A.
    expect(granted).toEqual(['A1', 'B1', 'C1', 'A2', 'A3']);
  });

  it('without shares, waiters are served in arrival order (as before)', async () => {
    const clock = manualClock();
    budget = createLocalRateBudget({ limit: 1, windowMs: 1_000, marginMs: 50, now: clock.now });
    const granted: string[] = [];
    const ask = requester(budget, granted);
    ask('first');
    ask('second');
    ask('third');
    await settle();
    await advanceTo(budget, clock, 1_051);
    expect(granted).toEqual(['first', 'second']);
  });

  it('after an idle spell, the first window’s slow round trips (a cold connection) push the next window back', async () => {
    const clock = manualClock();
    budget = createLocalRateBudget({ limit: 2, windowMs: 1_000, marginMs: 50, now: clock.now });
    const granted: string[] = [];
    const ask = requester(budget, granted);
    ask('a');
    ask('b');
    await settle();
    expect(granted).toEqual(['a', 'b']);
    // Both answers took 150 ms: the server may have counted them up to 150 ms after we granted them.
    clock.set(150);
    budget.observe({ httpStatus: 200, durationMs: 150 });
    budget.observe({ httpStatus: 200, durationMs: 150 });
    ask('c');
    ask('d');
    await advanceTo(budget, clock, 1_060); // past window + base margin, inside window + round trip
    expect(granted).toEqual(['a', 'b']);
    await advanceTo(budget, clock, 1_150);
    expect(granted).toEqual(['a', 'b', 'c', 'd']);

    // Steady traffic with quick answers: back to the base margin once the slow trips have left the window.
    clock.set(1_160);
    budget.observe({ httpStatus: 200, durationMs: 10 });
    budget.observe({ httpStatus: 200, durationMs: 10 });
    ask('e');
    await advanceTo(budget, clock, 2_199);
    expect(granted).toHaveLength(4);
    await advanceTo(budget, clock, 2_200);
    expect(granted).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a very slow answer widens the margin by at most a fifth of the window', async () => {
    const clock = manualClock();
    budget = createLocalRateBudget({ limit: 1, windowMs: 1_000, marginMs: 50, now: clock.now });
    const granted: string[] = [];
    const ask = requester(budget, granted);
    ask('a');
    await settle();
    clock.set(100);
    budget.observe({ httpStatus: 200, durationMs: 5_000 });
    ask('b');
    await advanceTo(budget, clock, 1_199);
    expect(granted).toEqual(['a']);
    await advanceTo(budget, clock, 1_200);
    expect(granted).toEqual(['a', 'b']);
  });
});

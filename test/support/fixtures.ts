// Test fixtures for the real parts: a test asks for a starter (`test('…', async ({ startCore }) => …)`), starts what
// it needs with the options it needs, and everything it started is closed once the test is over, also when it fails.
// This replaces the `let h; afterEach(() => h?.close())` blocks each test file used to copy.
import { test as base } from 'vitest';
import {
  startGameApiSimulator,
  type GameApiSimulator,
  type SimulatorOptions,
} from '../../src/dev/simulator/gameApiSimulator.ts';
import { startBotHarness, type BotHarness, type BotHarnessOptions } from './botHarness.ts';
import { startCoreHarness, type CoreHarness, type HarnessOptions } from './coreHarness.ts';
import { startRedisServer, type StartRedisServerOptions, type TestRedisServer } from './redisServer.ts';

/** What a fixture gives: start one (with these options); the fixture closes it after the test. */
export type Starter<O, T> = (options?: O) => Promise<T>;

/**
 * A starter that remembers what it started and closes it all, newest first, when `onCleanup` runs; one failing close
 * does not leave the rest running (its error is thrown once all are closed).
 */
function closing<O, T>(
  start: (options?: O) => Promise<T>,
  close: (started: T) => Promise<void>,
  onCleanup: (fn: () => Promise<void>) => void,
) {
  const started: T[] = [];
  onCleanup(async () => {
    const failures: unknown[] = [];
    for (const item of started.splice(0).reverse()) await close(item).catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });
  const starter: Starter<O, T> = async (options) => {
    const item = await start(options);
    started.push(item);
    return item;
  };
  return starter;
}

// oxlint-disable no-empty-pattern -- vitest reads a fixture's dependencies from its destructured first parameter: {} is none.
export const test = base
  .extend('startRedis', async ({}, { onCleanup }) =>
    closing<StartRedisServerOptions, TestRedisServer>(startRedisServer, (server) => server.stop(), onCleanup),
  )
  .extend('startSim', async ({}, { onCleanup }) =>
    closing<SimulatorOptions, GameApiSimulator>(startGameApiSimulator, (sim) => sim.close(), onCleanup),
  )
  // Built after startRedis (and so cleaned up before it): a Redis server outlives the apps that use it.
  // oxlint-disable-next-line no-unused-vars -- depending on startRedis is what orders the cleanup.
  .extend('startCore', async ({ startRedis: _ }, { onCleanup }) =>
    closing<HarnessOptions, CoreHarness>(startCoreHarness, (h) => h.close(), onCleanup),
  )
  .extend('startBot', async ({}, { onCleanup }) =>
    closing<BotHarnessOptions, BotHarness>(startBotHarness, (h) => h.close(), onCleanup),
  );

/** The same, for files written with `it`. */
export const it = test;

export { addAlliance, addMember, addMembers, allianceOf, type AllianceSpec } from './alliances.ts';

import { describe, expect, it } from 'vitest';
import { runScenario } from '../../bench/runScenario.ts';
import { smokeScenarios } from '../../bench/scenarios.ts';

describe('a benchmark row whose bot processes fail (issue 12, point 6)', () => {
  it('says why and returns (no ERR_IPC_DISCONNECTED from a worker already gone, no hang)', async () => {
    const smoke = smokeScenarios()[0]!;
    // A player spacing beyond its bound is refused by the bot's configuration check: every worker fails at set-up and leaves.
    const broken = { ...smoke, id: 'broken', processes: 4, profile: { ...smoke.profile, botPlayerSpacingMs: 999_999 } };
    const outcome = await runScenario(broken).then(
      () => 'finished',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(outcome).toContain('PLAYER_SPACING_MS');
    expect(outcome).not.toMatch(/ERR_IPC_DISCONNECTED|IPC channel/);
  }, 60_000);
});

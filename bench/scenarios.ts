import type { FaultKind } from '../src/dev/simulator/gameApiSimulator.ts';
import { compressed, REAL_PROFILE, type TimeProfile } from './timeProfile.ts';

export type Engine = 'giftbot' | 'baseline';

export interface Scenario {
  /** Row id, e.g. "1", "1-real", "3". */
  id: string;
  /** Issue 7's scenario number. */
  number: 1 | 2 | 3 | 4 | 5;
  title: string;
  engine: Engine;
  profile: TimeProfile;
  alliances: number;
  membersPerAlliance: number;
  /** Bot processes sharing the budget; each takes an equal share of the alliances. */
  processes: number;
  codeStatus: 'valid' | 'expired';
  /** Transient faults injected into every counted call, with these chances (they add up to the fault rate). */
  faults: { kind: FaultKind; probability: number }[];
  /** Needs REDIS_URL (a shared budget across processes). */
  redis: boolean;
  /** See WorkerSetup.via. */
  via: 'direct' | 'intake';
}

/** Quick runs compress time ×20: the real 30-per-60-s budget runs as 30 per 3 s (600 requests a minute). */
export const QUICK_SPEEDUP = 20;

/** 10 % of counted calls: half TIMEOUT RETRY, half HTTP 503 (the second chance is conditional on the first missing). */
const TEN_PERCENT_FAULTS: Scenario['faults'] = [
  { kind: 'timeout-retry', probability: 0.05 },
  { kind: 'http-503', probability: 0.05 / 0.95 },
];

function pair(base: Omit<Scenario, 'engine'>): Scenario[] {
  return [
    { ...base, engine: 'giftbot' },
    { ...base, engine: 'baseline' },
  ];
}

/** The scenarios of issue 7. `full` adds scenario 1 and a first-success check for 20 alliances on the real clock. */
export function issueScenarios({ full }: { full: boolean }): Scenario[] {
  const quick = compressed(QUICK_SPEEDUP);
  const common = { processes: 1, codeStatus: 'valid' as const, faults: [], redis: false, via: 'direct' as const };
  return [
    ...pair({
      id: '1',
      number: 1,
      title: 'one alliance',
      profile: quick,
      alliances: 1,
      membersPerAlliance: 100,
      ...common,
    }),
    ...(full
      ? pair({
          id: '1-real',
          number: 1,
          title: 'one alliance, real clock',
          profile: REAL_PROFILE,
          alliances: 1,
          membersPerAlliance: 100,
          ...common,
        })
      : []),
    ...pair({
      id: '2',
      number: 2,
      title: 'one alliance, 10 % faults',
      profile: quick,
      alliances: 1,
      membersPerAlliance: 100,
      ...common,
      faults: TEN_PERCENT_FAULTS,
    }),
    ...pair({
      id: '3',
      number: 3,
      title: '20 alliances, one budget',
      profile: quick,
      alliances: 20,
      membersPerAlliance: 50,
      ...common,
    }),
    // Time to first success has fixed costs (process and store work) that a compressed clock would multiply: the full
    // run also checks it on the real clock, with few enough members to keep it to two budget windows.
    ...(full
      ? pair({
          id: '3-real',
          number: 3,
          title: '20 alliances × 3, real clock',
          profile: REAL_PROFILE,
          alliances: 20,
          membersPerAlliance: 3,
          ...common,
        })
      : []),
    // What production does with a new code (validate once, then fan out), and 20 runs started directly for contrast.
    {
      id: '4',
      number: 4,
      title: 'expired code, 20 alliances, via code intake',
      engine: 'giftbot',
      profile: quick,
      alliances: 20,
      membersPerAlliance: 50,
      ...common,
      codeStatus: 'expired',
      via: 'intake',
    },
    {
      id: '4-direct',
      number: 4,
      title: 'expired code, 20 runs started directly',
      engine: 'giftbot',
      profile: quick,
      alliances: 20,
      membersPerAlliance: 50,
      ...common,
      codeStatus: 'expired',
    },
    {
      id: '5',
      number: 5,
      title: '4 processes, Redis budget',
      engine: 'giftbot',
      profile: quick,
      alliances: 4,
      membersPerAlliance: 50,
      ...common,
      processes: 4,
      redis: true,
    },
  ];
}

/** One tiny scenario for the smoke test: 10 members, 10 calls per 0.5 s. */
export function smokeScenarios(): Scenario[] {
  const profile = { ...compressed(120), limit: 10, windowMs: 500 };
  return pair({
    id: 'smoke',
    number: 1,
    title: 'smoke: one small alliance',
    profile,
    alliances: 1,
    membersPerAlliance: 10,
    processes: 1,
    codeStatus: 'valid',
    faults: [],
    redis: false,
    via: 'direct',
  });
}

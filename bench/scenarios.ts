import type { FaultKind } from '../src/dev/simulator/gameApiSimulator.ts';
import { compressed, REAL_PROFILE, type TimeProfile } from './timeProfile.ts';

/** giftbot, the oldest bots' fixed pacing (`baseline`), and the Kingshot bot's header-driven pacing (`kingshot-bot`). */
export type Engine = 'giftbot' | 'baseline' | 'kingshot-bot';
export const PEER_ENGINES = ['baseline', 'kingshot-bot'] as const;

export interface Scenario {
  /** Row id, e.g. "1", "1-real", "3". */
  id: string;
  /** Issue 7's scenario number (1–5); issue 14 adds 6 (two egress addresses) and 7 (scale). */
  number: 1 | 2 | 3 | 4 | 5 | 6 | 7;
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
  /** giftbot's store: the SQLite file, or a PostgreSQL database the bench creates (and drops) for the row. */
  store: 'sqlite' | 'postgres';
  /** EGRESS_ADDRESS per process (index = process); null: the default address (127.0.0.1) for every process. */
  egress: readonly string[] | null;
  /** Scale rows: the ledger is pre-filled with this many rows, and claim/record latencies and CPU are measured. */
  scale: { prefillLedgerRows: number } | null;
  /** Bot settings on top of the ones every row gets. */
  env: Record<string, string>;
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

/** giftbot, the oldest bots' pacing and the Kingshot bot's (issue 14: compare with the strongest peer too). */
function triple(base: Omit<Scenario, 'engine'>): Scenario[] {
  return [...pair(base), { ...base, engine: 'kingshot-bot' }];
}

/** Defaults for the fields most rows leave alone. */
const COMMON = {
  processes: 1,
  codeStatus: 'valid' as const,
  faults: [],
  redis: false,
  via: 'direct' as const,
  store: 'sqlite' as const,
  egress: null,
  scale: null,
  env: {},
};

/** The two egress addresses of issue 14's test: the simulator counts its budget per client address. */
export const EGRESS_ADDRESSES = ['127.0.0.2', '127.0.0.3'] as const;

/** The scale rows' ledger before the run: 10 earlier codes for each of the 100,000 members. */
export const SCALE_PREFILL_ROWS = 1_000_000;

/** The scenarios of issue 7. `full` adds scenario 1 and a first-success check for 20 alliances on the real clock. */
export function issueScenarios({ full }: { full: boolean }): Scenario[] {
  const quick = compressed(QUICK_SPEEDUP);
  const common = COMMON;
  return [
    ...triple({
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
    ...triple({
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
    // The peers have no shared budget: each of their 4 processes paces itself against the one address's limit.
    ...triple({
      id: '5',
      number: 5,
      title: '4 processes, Redis budget',
      profile: quick,
      alliances: 4,
      membersPerAlliance: 50,
      ...common,
      processes: 4,
      redis: true,
    }),
    {
      id: '5-pg',
      number: 5,
      title: '4 processes, Redis budget, PostgreSQL',
      engine: 'giftbot',
      profile: quick,
      alliances: 4,
      membersPerAlliance: 50,
      ...common,
      processes: 4,
      redis: true,
      store: 'postgres',
    },
    // Issue 14: two hosts' worth of processes, each address with its own budget at the game, one Redis between them.
    {
      id: '6',
      number: 6,
      title: 'two egress addresses, 2 processes each',
      engine: 'giftbot',
      profile: quick,
      alliances: 4,
      membersPerAlliance: 50,
      ...common,
      processes: 4,
      redis: true,
      egress: [EGRESS_ADDRESSES[0], EGRESS_ADDRESSES[0], EGRESS_ADDRESSES[1], EGRESS_ADDRESSES[1]],
    },
  ];
}

/**
 * Issue 14's scale rows (`--scale`): `alliances` × 100 members (1,000 by default) queued on one code at a budget high
 * enough never to be the limit, on SQLite and on PostgreSQL, with the ledger pre-filled. They measure the engine, not
 * the pacing: CPU per call, peak RSS, claim+record latency.
 */
export function scaleScenarios({ alliances = 1_000 }: { alliances?: number } = {}): Scenario[] {
  // 100,000 calls per second: the pacing never waits; no latency or player spacing to hide the engine's own cost.
  const profile: TimeProfile = {
    ...REAL_PROFILE,
    limit: 100_000,
    windowMs: 1_000,
    simPlayerSpacingMs: 0,
    botPlayerSpacingMs: 0,
    latencyMs: { min: 0, max: 2 },
  };
  const base = {
    number: 7 as const,
    engine: 'giftbot' as const,
    profile,
    alliances,
    membersPerAlliance: 100,
    ...COMMON,
    scale: { prefillLedgerRows: SCALE_PREFILL_ROWS },
    // 1,000 runs × 8 workers put thousands of calls at once into the game client's 16 sockets: with the default
    // deadline (connect 10 s + read 20 s, counted from the moment a call is queued) the last of them would time out in
    // the client's own queue. The simulator answers in 0–2 ms; the longest deadlines keep the row about the engine.
    env: { API_CONNECT_TIMEOUT_MS: '120000', API_READ_TIMEOUT_MS: '300000' },
  };
  return [
    { ...base, id: '7-sqlite', title: `scale: ${alliances} alliances × 100, SQLite` },
    { ...base, id: '7-pg', title: `scale: ${alliances} alliances × 100, PostgreSQL`, store: 'postgres' },
  ];
}

/** One tiny scenario for the smoke test: 10 members, 10 calls per 0.5 s. */
export function smokeScenarios(): Scenario[] {
  const profile = { ...compressed(120), limit: 10, windowMs: 500 };
  return triple({
    id: 'smoke',
    number: 1,
    title: 'smoke: one small alliance',
    profile,
    alliances: 1,
    membersPerAlliance: 10,
    ...COMMON,
  });
}

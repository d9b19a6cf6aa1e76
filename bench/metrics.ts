import type { SimulatorCall } from '../src/dev/simulator/gameApiSimulator.ts';
import type { AllianceTiming } from './protocol.ts';

/** Game answers that only say "try again" (TIMEOUT RETRY., TOO FREQUENT.): they cost budget and settle nothing. */
const TRANSIENT_ERR_CODES = new Set([40004, 40019]);

/** A call that cost budget and got an answer that settles its member (or the code): the useful work. */
export function settles(call: SimulatorCall): boolean {
  return (
    call.counted && call.httpStatus === 200 && call.errCode !== undefined && !TRANSIENT_ERR_CODES.has(call.errCode)
  );
}

export interface RateMeasure {
  /** Achieved rate ÷ budget; null when the run fits in one server window (nothing to measure a rate over). */
  ratio: number | null;
  /** The server's budget windows the run used. */
  windows: number;
  /** Settling calls per minute over the measured span. */
  settledPerMinute: number | null;
}

/**
 * Achieved rate ÷ budget, measured on the server's own windows. The simulator's limiter is a fixed window that opens
 * at the first counted call and lasts `windowMs`; the next opens at the first counted call after that. Over every
 * window but the last (the one where the work ran out, so it is partly empty by nature), the rate is
 *   settling calls that arrived before the last window opened ÷ (last window's start − first window's start)
 * and the ratio divides that by limit ÷ windowMs. A client that fills every window the moment it opens scores 1.00;
 * idle gaps between windows, calls spent on 429s, retries of busy answers, and windows left part-empty all lower it.
 */
export function achievedRate(calls: readonly SimulatorCall[], limit: number, windowMs: number): RateMeasure {
  const counted = calls.filter((call) => call.counted).sort((a, b) => a.atMono - b.atMono);
  const starts: number[] = [];
  for (const call of counted) {
    const current = starts.at(-1);
    if (current === undefined || call.atMono >= current + windowMs) starts.push(call.atMono);
  }
  if (starts.length < 2) return { ratio: null, windows: starts.length, settledPerMinute: null };
  const first = starts[0]!;
  const last = starts.at(-1)!;
  const settled = counted.filter((call) => call.atMono < last && settles(call)).length;
  const perMs = settled / (last - first);
  return { ratio: perMs / (limit / windowMs), windows: starts.length, settledPerMinute: perMs * 60_000 };
}

export interface Fairness {
  /** Per alliance, ms after the start. */
  firstSuccessMs: { min: number | null; median: number | null; max: number | null };
  finishedMs: { first: number; last: number; spread: number };
  /** Alliances that never got a success. */
  withoutSuccess: number;
}

export function fairness(alliances: readonly AllianceTiming[]): Fairness {
  const firsts = alliances
    .map((a) => a.firstSuccessMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  const finished = alliances.map((a) => a.finishedMs).sort((a, b) => a - b);
  const firstFinished = finished[0] ?? 0;
  const lastFinished = finished.at(-1) ?? 0;
  return {
    firstSuccessMs: {
      min: firsts[0] ?? null,
      median: firsts.length > 0 ? firsts[Math.floor((firsts.length - 1) / 2)]! : null,
      max: firsts.at(-1) ?? null,
    },
    finishedMs: { first: firstFinished, last: lastFinished, spread: lastFinished - firstFinished },
    withoutSuccess: alliances.length - firsts.length,
  };
}

export interface EgressFigures {
  address: string;
  calls: number;
  rateLimited: number;
  /** This address's achieved rate ÷ its own budget (the simulator counts its limit per client address). */
  rate: RateMeasure;
}

/**
 * Rows with several egress addresses: each address's rate measured on its own windows at the simulator, and the
 * combined rate — the addresses' settling calls per minute added up ÷ the addresses' budgets added up.
 */
export function egressRates(
  calls: readonly SimulatorCall[],
  addresses: readonly string[],
  limit: number,
  windowMs: number,
): { combined: RateMeasure; perAddress: EgressFigures[] } {
  const perAddress = addresses.map((address) => {
    // The simulator records the peer's address as the socket gives it (an IPv4-mapped IPv6 one on some hosts).
    const own = calls.filter((call) => call.ip === address || call.ip.endsWith(`:${address}`));
    return {
      address,
      calls: own.length,
      rateLimited: own.filter((call) => call.httpStatus === 429).length,
      rate: achievedRate(own, limit, windowMs),
    };
  });
  const measured = perAddress.map((figures) => figures.rate.settledPerMinute);
  const settledPerMinute = measured.every((n): n is number => n !== null) ? measured.reduce((a, b) => a + b, 0) : null;
  const budgetPerMinute = (addresses.length * limit * 60_000) / windowMs;
  return {
    combined: {
      ratio: settledPerMinute === null ? null : settledPerMinute / budgetPerMinute,
      windows: perAddress.reduce((n, figures) => n + figures.rate.windows, 0),
      settledPerMinute,
    },
    perAddress,
  };
}

/**
 * The local budget's safety margin, widened after an idle spell. We stamp a slot when we grant it, the server counts
 * the call when it arrives. Calls sent in the first window after the budget was idle may open the server's window late
 * (a cold connection: TCP/TLS set-up before the request is even sent), and then the next window's first calls land
 * inside it: 429. So the round trips of those calls (an upper bound on their delay) widen the margin until they have
 * left the window. Steady traffic keeps the base margin.
 */
export interface ColdStartMargin {
  /** The margin to add to the window at time `at`. */
  at(at: number): number;
  /** The budget granted a slot after being idle (no grant in the window). */
  idleEnded(at: number): void;
  /** One answer came back after `durationMs`; counted when it was sent in the first window after the idle spell. */
  observeTrip(at: number, durationMs: number | undefined): void;
  /** Ms until the oldest counted trip stops counting (the margin may shrink then), Infinity when none counts. */
  nextExpiryIn(at: number): number;
}

export function createColdStartMargin(windowMs: number, baseMarginMs: number, maxMarginMs: number): ColdStartMargin {
  let idleEndedAt: number | null = null;
  let trips: { at: number; ms: number }[] = [];
  return {
    at(at) {
      // A trip matters until its slot (granted before its answer) has left the window.
      const cutoff = at - windowMs - maxMarginMs;
      if (trips.length > 0 && trips[0]!.at <= cutoff) trips = trips.filter((t) => t.at > cutoff);
      let slowest = 0;
      for (const trip of trips) slowest = Math.max(slowest, trip.ms);
      return Math.min(maxMarginMs, Math.max(baseMarginMs, slowest));
    },
    idleEnded(at) {
      idleEndedAt = at;
    },
    observeTrip(at, durationMs) {
      const sentAt = durationMs === undefined ? null : at - durationMs;
      if (sentAt !== null && idleEndedAt !== null && sentAt <= idleEndedAt + windowMs)
        trips.push({ at, ms: durationMs! });
    },
    nextExpiryIn(at) {
      return trips.length > 0 ? trips[0]!.at + windowMs + maxMarginMs - at : Infinity;
    },
  };
}

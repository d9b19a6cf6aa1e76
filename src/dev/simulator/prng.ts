/** mulberry32: a tiny seeded PRNG, so probabilistic faults and latency jitter repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fixed latency, or one drawn per answer from a seeded PRNG within a range. */
export function latencyFn(latency: number | { min: number; max: number }, seed: number): () => number {
  if (typeof latency === 'number') return () => latency;
  const random = seededRandom(seed);
  const { min, max } = latency;
  return () => min + random() * Math.max(0, max - min);
}

/**
 * Settings that look like giftbot's but are not (DISCORD_BOT_TOKEN, REDIS_HOST): each gets a warning naming the
 * closest real key, because a mistyped key is otherwise silently ignored and its default used.
 */
export function unknownKeyWarnings(options: {
  known: ReadonlySet<string>;
  /** Every key of `.env`: all of them are meant for giftbot. */
  fileKeys: readonly string[];
  /** The environment's keys: only those with one of our prefixes (DISCORD_, REDIS_, …) are checked. */
  envKeys: readonly string[];
}): string[] {
  const { known } = options;
  // NODE_ENV is ours to read, but NODE_OPTIONS, NODE_EXTRA_CA_CERTS… belong to Node itself.
  const prefixes = new Set([...known].map((key) => key.split('_')[0]!).filter((prefix) => prefix !== 'NODE'));
  const looksOurs = (key: string): boolean =>
    /^[A-Z][A-Z0-9_]*$/.test(key) && key.includes('_') && prefixes.has(key.split('_')[0]!);
  const warnings: string[] = [];
  const seen = new Set<string>();
  const check = (key: string, where: string): void => {
    if (known.has(key) || seen.has(key)) return;
    seen.add(key);
    const closest = closestKey(key, known);
    warnings.push(
      `${key} (${where}) is not a giftbot setting and is ignored${closest ? `; did you mean ${closest}?` : ''}`,
    );
  };
  for (const key of options.fileKeys) check(key, '.env');
  for (const key of options.envKeys) if (looksOurs(key)) check(key, 'environment');
  return warnings;
}

/** The known key nearest by edit distance, when it is near enough to be a plausible typo or variant. */
export function closestKey(key: string, known: ReadonlySet<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

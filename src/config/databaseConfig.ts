/**
 * Where giftbot keeps its data: the embedded SQLite file (the default, one host), or a shared PostgreSQL server
 * (DATABASE_URL, several hosts). With DATABASE_URL set, DATABASE_PATH is not used for data.
 */
export interface PostgresSettings {
  url: string;
  /** Most connections one process holds; every query waits for a free one. */
  poolMax: number;
  /** How long getting a connection may take (connect or wait for a free one) before the query fails. */
  connectTimeoutMs: number;
  /** An idle connection is closed after this. */
  idleTimeoutMs: number;
  /** The server cancels any one statement running longer (a stuck lock wait fails instead of hanging a run). */
  statementTimeoutMs: number;
}

type ReadValue = (key: string) => string | undefined;
type ReadInteger = (key: string, fallback: number, min: number, max: number) => number;

export function readPostgresSettings(
  value: ReadValue,
  integer: ReadInteger,
  problems: string[],
): PostgresSettings | null {
  const poolMax = integer('PG_POOL_MAX', 10, 1, 200);
  const connectTimeoutMs = integer('PG_CONNECT_TIMEOUT_MS', 5_000, 100, 120_000);
  const idleTimeoutMs = integer('PG_IDLE_TIMEOUT_MS', 30_000, 1_000, 3_600_000);
  const statementTimeoutMs = integer('PG_STATEMENT_TIMEOUT_MS', 15_000, 100, 600_000);
  const raw = value('DATABASE_URL');
  if (raw === undefined) return null;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      problems.push(
        `DATABASE_URL must start with postgres:// or postgresql:// (SQLite is set with DATABASE_PATH), got "${parsed.protocol}//…"`,
      );
    } else if (!parsed.pathname || parsed.pathname === '/') {
      problems.push('DATABASE_URL must name a database, e.g. postgres://giftbot@db-host:5432/giftbot');
    }
  } catch {
    problems.push('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  return { url: raw, poolMax, connectTimeoutMs, idleTimeoutMs, statementTimeoutMs };
}

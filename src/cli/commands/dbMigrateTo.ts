import { parseArgs } from 'node:util';
import { toolLoggerFor } from '../../bootstrap.ts';
import { readPostgresSettings } from '../../config/databaseConfig.ts';
import { redactUrl, type Config } from '../../config/config.ts';
import { EVENTS } from '../../log/events.ts';
import { MigrateError, migrateSqliteToPostgres, type MigrateReport } from '../../store/postgres/migrateFromSqlite.ts';
import { CliError } from '../cliError.ts';

export const DB_MIGRATE_USAGE = 'giftbot db migrate-to <postgres-url> [--dry-run] [--merge] [--json]';

/**
 * `giftbot db migrate-to`: copies the configured SQLite database (DATABASE_PATH) into PostgreSQL. Standalone: it opens
 * the SQLite file read-only itself and never the configured store (which may already be the PostgreSQL target).
 */
export async function dbMigrateToCommand(
  rest: string[],
  { config, out }: { config: Config; out: (line: string) => void },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, merge: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [url] = positionals;
  if (!url) throw new CliError(`The PostgreSQL URL is required.\nUsage: ${DB_MIGRATE_USAGE}`);
  const log = toolLoggerFor(config);
  const problems: string[] = [];
  const checked = readPostgresSettings(
    (key) => (key === 'DATABASE_URL' ? url : undefined),
    (_key, fallback) => fallback,
    problems,
  );
  if (!checked || problems.length > 0)
    throw new CliError(
      problems.join('; ').replace('DATABASE_URL', 'the target URL') || 'a postgres:// URL is required',
    );
  // One connection does the copy; its batches may take longer than a bot's statements.
  const target = {
    ...checked,
    poolMax: 2,
    connectTimeoutMs: config.postgres?.connectTimeoutMs ?? checked.connectTimeoutMs,
    statementTimeoutMs: 600_000,
  };
  const dryRun = values['dry-run'] ?? false;
  const merge = values.merge ?? false;
  try {
    const report = await migrateSqliteToPostgres({ sqlitePath: config.databasePath, target, dryRun, merge });
    log.info(
      { event: EVENTS.dbMigrateTo, dryRun, merge, tables: report.tables },
      dryRun ? 'migration dry run' : 'migrated to PostgreSQL',
    );
    if (values.json) out(JSON.stringify(report));
    else for (const line of formatReport(report, config.databasePath, redactUrl(url))) out(line);
    return 0;
  } catch (error) {
    // Refused, rolled back, or PostgreSQL did not answer (a connection error carries a code): nothing was copied.
    const unreachable = !(error instanceof MigrateError) && error instanceof Error && 'code' in error;
    if (error instanceof MigrateError || unreachable) {
      const message = unreachable
        ? `cannot use ${redactUrl(url)}: ${(error as Error).message}. Nothing was copied.`
        : (error as Error).message;
      log.error({ event: EVENTS.dbMigrateTo, dryRun, merge, err: message }, 'migration refused or failed');
      throw new CliError(message, 1);
    }
    throw error;
  }
}

function formatReport(report: MigrateReport, from: string, to: string): string[] {
  const lines = [
    report.dryRun
      ? `Dry run: nothing was written. ${from} → ${to} would copy:`
      : `Copied ${from} → ${to} in one transaction; every count checked:`,
  ];
  for (const t of report.tables) {
    if (report.dryRun)
      lines.push(`  ${t.table}: ${t.source} row(s)${t.targetBefore ? ` (${t.targetBefore} already there)` : ''}`);
    else
      lines.push(
        `  ${t.table}: ${t.inserted} copied${report.merge ? `, ${t.updated} upgraded, ${t.kept} kept as they were` : ''} (${t.source} in SQLite, ${t.targetAfter} in PostgreSQL)`,
      );
  }
  if (!report.dryRun)
    lines.push(
      'Next: set DATABASE_URL on every host and restart them (see README, Several hosts). The SQLite file was not changed.',
    );
  return lines;
}

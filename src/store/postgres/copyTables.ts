import { FINAL_LEDGER_IN_SQL } from '../sqlLists.ts';

/**
 * What `giftbot db migrate-to` copies, in order (a table after the ones it references), and what --merge does with a
 * row the target already has. Every SQLite table must be here: migrate-to refuses a source with a table it does not
 * know, so a table added to SQLite without being ported cannot be left behind silently.
 *
 * Porting a new table: its PostgreSQL migration (src/store/postgres/migrations.ts, same version), then one line here.
 */
export interface CopyTable {
  name: string;
  key: readonly string[];
  /** --merge, when the key exists in the target. Default: keep the target's row. */
  onMerge?: 'final-wins' | 'highest-fence';
  /** An identity column whose sequence must continue after the copied ids. */
  identity?: string;
}

export const COPY_TABLES: readonly CopyTable[] = [
  { name: 'guilds', key: ['id'] },
  { name: 'alliances', key: ['id'], identity: 'id' },
  { name: 'members', key: ['guild_id', 'fid'] },
  { name: 'codes', key: ['game', 'code'] },
  // A final row in the target stays; a non-final one is replaced by the source's final result.
  { name: 'ledger', key: ['game', 'fid', 'code'], onMerge: 'final-wins' },
  // Fences never go backwards: the higher one is kept.
  { name: 'fences', key: ['guild_id', 'game', 'code'], onMerge: 'highest-fence' },
  { name: 'runs', key: ['id'], identity: 'id' },
  { name: 'deferred_runs', key: ['guild_id', 'game', 'code'] },
  { name: 'wrong_states', key: ['game', 'fid', 'kid'] },
  // Append-only answers; with --merge an id the target already has keeps the target's row.
  { name: 'answer_journal', key: ['id'], identity: 'id' },
  { name: 'member_links', key: ['guild_id', 'fid'] },
];

/** SQLite's own tables and the migration bookkeeping (each store keeps its own): never copied. */
export const NOT_COPIED = new Set(['schema_migrations', 'sqlite_sequence']);

/** The ON CONFLICT clause for a table: plain INSERT without --merge (a conflict is an error then). */
export function conflictClause(table: CopyTable, columns: readonly string[], merge: boolean): string {
  if (!merge) return '';
  const key = `ON CONFLICT (${table.key.join(', ')})`;
  if (table.onMerge === 'highest-fence')
    return `${key} DO UPDATE SET fence = excluded.fence WHERE ${table.name}.fence < excluded.fence`;
  if (table.onMerge === 'final-wins') {
    const sets = columns.filter((c) => !table.key.includes(c)).map((c) => `${c} = excluded.${c}`);
    return `${key} DO UPDATE SET ${sets.join(', ')} WHERE ${table.name}.status NOT IN (${FINAL_LEDGER_IN_SQL}) AND excluded.status IN (${FINAL_LEDGER_IN_SQL})`;
  }
  return `${key} DO NOTHING`;
}

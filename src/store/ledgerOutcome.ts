/** A ledger row's status: `pending` while a call may be in flight, `retry` until a final answer, then final. */
export type LedgerStatus = 'pending' | 'retry' | 'success' | 'already' | 'failed';

/** What a call (or an import) writes into a ledger row. */
export interface LedgerOutcome {
  status: Exclude<LedgerStatus, 'pending'>;
  reason?: string | null;
  errCode?: number | null;
  msg?: string | null;
}

export type LockAbortReason = 'lost' | 'deadline' | 'max_hold' | 'released' | 'closed';

/** The `reason` of an aborted `LockHandle.signal`. */
export class LockAbortError extends Error {
  readonly reason: LockAbortReason;
  constructor(reason: LockAbortReason, message: string) {
    super(message);
    this.name = 'LockAbortError';
    this.reason = reason;
  }
}

/**
 * The cross-process layer around one (guild, code) run. The in-process active set always runs first; this layer is
 * optional (Redis when `REDIS_URL` is set, otherwise a no-op that always grants).
 */
export interface RunLockKey {
  guildId: string;
  game: string;
  code: string;
}

export type LockAttempt =
  | { status: 'acquired'; handle: LockHandle }
  /** Another holder has it; the trigger is a duplicate. */
  | { status: 'busy' }
  /** The lock service cannot be reached or did not answer in time: automatic runs fail closed. */
  | { status: 'unavailable'; reason: string };

export interface LockHandle {
  /** Aborted when the lock is lost, cannot be confirmed before its local deadline, or exceeds the maximum hold time. */
  readonly signal: AbortSignal;
  /** True when not aborted and before the monotonic local deadline; checked before every API call. */
  isHeld(): boolean;
  /**
   * Asks the lock service, one round trip, whether the key is still ours (before every API call): a key an operator
   * deleted or overwrote ends the hold now, not at the next renewal. A question the service does not answer is not a
   * "no" — the local deadline still decides.
   */
  confirm(): Promise<boolean>;
  /** Compare-and-delete; never throws (a release of a lock we no longer own is logged). */
  release(): Promise<void>;
}

export interface RunLock {
  acquire(key: RunLockKey): Promise<LockAttempt>;
  /** Whether the lock service answers now (for /giftbot status and /healthz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Used when no Redis is configured: the in-process set is the only lock, which is enough for a single process. */
export function createLocalOnlyRunLock(): RunLock {
  return {
    async acquire() {
      const controller = new AbortController();
      return {
        status: 'acquired',
        handle: {
          signal: controller.signal,
          isHeld: () => !controller.signal.aborted,
          confirm: async () => !controller.signal.aborted,
          release: async () => {
            controller.abort(new Error('released'));
          },
        },
      };
    },
    ping: async () => true,
    close: async () => {},
  };
}

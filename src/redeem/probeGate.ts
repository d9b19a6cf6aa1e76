import { Mutex } from 'async-mutex';
import type { Classification } from '../game/classifyAnswer.ts';

/**
 * Until the game has shown a code exists (any answer that checks the code), one call at a time across every run of
 * that code in the process: an expired or unknown code then costs exactly one call, not one per worker or per
 * alliance started at the same moment. Once proven, calls go out in parallel. Shared by every run of the engine.
 */
export interface ProbeGates {
  isProven(codeKey: string): boolean;
  markProven(codeKey: string): void;
  /** Runs `probe` alone for this code; every other caller of the same code waits its turn. */
  exclusive<T>(codeKey: string, probe: () => Promise<T>): Promise<T>;
  /** The code is settled (live, or dead and marked): later runs never wait at its gate, so it is let go. */
  settle(codeKey: string): void;
}

export function createProbeGates(): ProbeGates {
  const proven = new Set<string>();
  const gates = new Map<string, Mutex>();
  const gateFor = (codeKey: string): Mutex => {
    let gate = gates.get(codeKey);
    if (!gate) {
      gate = new Mutex();
      gates.set(codeKey, gate);
    }
    return gate;
  };
  return {
    isProven: (codeKey) => proven.has(codeKey),
    markProven: (codeKey) => void proven.add(codeKey),
    exclusive: (codeKey, probe) => gateFor(codeKey).runExclusive(probe),
    settle(codeKey) {
      if (!gates.get(codeKey)?.isLocked()) gates.delete(codeKey);
    },
  };
}

/** Answers the game gives only after finding the code: the code exists and is live. */
export function provesCodeExists(classification: Classification): boolean {
  switch (classification.kind) {
    case 'success':
    case 'already-redeemed':
      return true;
    case 'member-final':
      return classification.reason !== 'wrong-state' && classification.reason !== 'no-such-player';
    default:
      return false;
  }
}

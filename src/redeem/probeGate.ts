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
  /**
   * A probe got a retry-later answer (TOO FREQUENT, busy): the game has not looked at the code yet, so the same member
   * keeps the gate until `until` (performance.now() ms) — its retry — and no other member spends a call meanwhile.
   */
  hold(codeKey: string, fid: string, until: number): void;
  /** Lets the gate go early (the holder was given up for this run). */
  release(codeKey: string, fid: string): void;
  /** Milliseconds this member must wait because another member holds the code's gate (0: go ahead). */
  heldFor(codeKey: string, fid: string, now: number): number;
}

export function createProbeGates(): ProbeGates {
  const proven = new Set<string>();
  const gates = new Map<string, Mutex>();
  const holds = new Map<string, { fid: string; until: number }>();
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
    markProven(codeKey) {
      proven.add(codeKey);
      holds.delete(codeKey);
    },
    exclusive: (codeKey, probe) => gateFor(codeKey).runExclusive(probe),
    settle(codeKey) {
      holds.delete(codeKey);
      if (!gates.get(codeKey)?.isLocked()) gates.delete(codeKey);
    },
    hold(codeKey, fid, until) {
      if (!proven.has(codeKey)) holds.set(codeKey, { fid, until });
    },
    release(codeKey, fid) {
      if (holds.get(codeKey)?.fid === fid) holds.delete(codeKey);
    },
    heldFor(codeKey, fid, now) {
      const held = holds.get(codeKey);
      if (!held || held.fid === fid || proven.has(codeKey)) return 0;
      if (held.until <= now) {
        // The holder did not come back in time (its run stopped): the gate is free again.
        holds.delete(codeKey);
        return 0;
      }
      return held.until - now;
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

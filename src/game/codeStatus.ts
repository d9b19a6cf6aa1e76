import type { Classification, CodeFinalReason } from './classifyAnswer.ts';

/**
 * One vocabulary for a code's life: what the classifier calls a dead code's reason, what the store keeps as its
 * status, and the words an admin reads. Every part of giftbot maps through here, never with a table of its own.
 */
export type CodeStatus = 'new' | 'valid' | FinalCodeStatus;
/** Statuses after which no run starts for the code. */
export type FinalCodeStatus = 'expired' | 'invalid' | 'used-up';
export const FINAL_CODE_STATUSES: readonly CodeStatus[] = ['expired', 'invalid', 'used-up'] satisfies FinalCodeStatus[];

export function isFinalCodeStatus(status: CodeStatus): status is FinalCodeStatus {
  return FINAL_CODE_STATUSES.includes(status);
}

const STATUS_FOR_REASON: Record<CodeFinalReason, FinalCodeStatus> = {
  expired: 'expired',
  'not-found': 'invalid',
  'used-up': 'used-up',
};
const REASON_FOR_STATUS: Record<FinalCodeStatus, CodeFinalReason> = {
  expired: 'expired',
  invalid: 'not-found',
  'used-up': 'used-up',
};

/** The status a code gets when the game answers with this code-final reason. */
export function codeStatusFor(reason: CodeFinalReason): FinalCodeStatus {
  return STATUS_FOR_REASON[reason];
}

/** The classification a stored dead status stands for (a run that learns it from the store stops as if told). */
export function deadCodeClassification(
  status: FinalCodeStatus,
  raw: { errCode: number | null; msg: string | null },
): Classification {
  return { kind: 'code-final', reason: REASON_FOR_STATUS[status], errCode: raw.errCode, msg: raw.msg, httpStatus: 200 };
}

/** How a dead code reads after its name: "ABC has expired". */
export function deadCodeText(status: FinalCodeStatus): string {
  switch (status) {
    case 'expired':
      return 'has expired';
    case 'used-up':
      return 'is used up (its claim limit was reached)';
    case 'invalid':
      return 'is not a code the game knows';
  }
}

/** The sentence for a run that the game stopped: "The game says ABC has expired (TIME ERROR. 40007); …". */
export function deadCodeStopSentence(
  code: string,
  reason: CodeFinalReason,
  raw: { errCode: number | null; msg: string | null },
): string {
  const text = deadCodeText(codeStatusFor(reason));
  return `The game says ${code} ${text} (${raw.msg ?? ''} ${raw.errCode ?? ''}); the run stopped and the code will not be tried again.`;
}

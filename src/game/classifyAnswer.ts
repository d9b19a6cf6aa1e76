import type { ApiAnswer } from './apiAnswer.ts';

export type MemberFinalReason =
  | 'wrong-state'
  | 'no-such-player'
  | 'furnace-too-low'
  | 'spend-requirement'
  | 'vip-requirement';
export type CodeFinalReason = 'expired' | 'not-found' | 'used-up';
export type RetryReason =
  | 'server-busy'
  | 'too-frequent'
  | 'rate-limited'
  | 'upstream-error'
  | 'timeout'
  | 'network'
  | 'garbage'
  | 'unknown-answer';
export type ConfigErrorReason = 'sign-error' | 'params-error';

export type Classification = { errCode: number | null; msg: string | null; httpStatus: number } & (
  | { kind: 'success' }
  | { kind: 'already-redeemed'; reason: 'received' | 'same-type' }
  | { kind: 'member-final'; reason: MemberFinalReason }
  | { kind: 'code-final'; reason: CodeFinalReason }
  | { kind: 'retry-later'; reason: RetryReason; delayMs: number }
  | { kind: 'config-error'; reason: ConfigErrorReason }
);

export type ClassificationKind = Classification['kind'];

/** Delays when the server gives no hint. The engine backs off further on repeated failures. */
export const DEFAULT_RETRY_DELAY_MS: Record<RetryReason, number> = {
  'server-busy': 3_000,
  // The per-player limit: bots keep 2–3 s between two calls for the same fid.
  'too-frequent': 3_000,
  'rate-limited': 10_000,
  'upstream-error': 3_000,
  timeout: 3_000,
  network: 3_000,
  garbage: 3_000,
  'unknown-answer': 10_000,
};

const MEMBER_FINAL: Record<number, MemberFinalReason> = {
  40020: 'wrong-state',
  40006: 'furnace-too-low',
  40017: 'spend-requirement',
  40018: 'vip-requirement',
};

const CODE_FINAL: Record<number, CodeFinalReason> = {
  40007: 'expired',
  40014: 'not-found',
  40005: 'used-up',
};

interface GameBody {
  code: number;
  msg: string;
  err_code: number | null;
}

function asGameBody(body: unknown): GameBody | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  if (typeof record.msg !== 'string') return null;
  const code = Number(record.code);
  const errCode = record.err_code === undefined || record.err_code === null || record.err_code === '' ? null : Number(record.err_code);
  if (!Number.isFinite(code)) return null;
  return { code, msg: record.msg, err_code: errCode !== null && Number.isFinite(errCode) ? errCode : null };
}

/** Maps every answer the game gives (see the API spec's table) to what a redeemer should do. */
export function classifyAnswer(answer: ApiAnswer): Classification {
  const httpStatus = answer.httpStatus;
  const retry = (reason: RetryReason, errCode: number | null = null, msg: string | null = null): Classification => ({
    kind: 'retry-later',
    reason,
    delayMs: answer.rateLimit.retryAfterMs ?? DEFAULT_RETRY_DELAY_MS[reason],
    errCode,
    msg,
    httpStatus,
  });

  if (answer.transportError) {
    return retry(answer.transportError.kind === 'timeout' ? 'timeout' : 'network', null, answer.transportError.message);
  }
  if (httpStatus === 429) return retry('rate-limited', null, bodyMessage(answer) ?? 'Too Many Attempts.');
  if (httpStatus >= 500 || (httpStatus !== 200 && httpStatus !== 0)) {
    return retry('upstream-error', null, `HTTP ${httpStatus}`);
  }

  const body = asGameBody(answer.body);
  if (!body) return retry('garbage', null, answer.text.slice(0, 200) || '(empty body)');

  const { msg } = body;
  const errCode = body.err_code;
  const base = { errCode, msg, httpStatus };
  const upper = msg.toUpperCase();

  if (upper.includes('SIGN ERROR')) return { kind: 'config-error', reason: 'sign-error', ...base };
  if (body.code === 0 && (errCode === 20000 || upper.startsWith('SUCCESS'))) return { kind: 'success', ...base };
  if (errCode === 40008) return { kind: 'already-redeemed', reason: 'received', ...base };
  if (errCode === 40011) return { kind: 'already-redeemed', reason: 'same-type', ...base };
  if (errCode !== null && CODE_FINAL[errCode]) return { kind: 'code-final', reason: CODE_FINAL[errCode], ...base };
  if (errCode !== null && MEMBER_FINAL[errCode]) return { kind: 'member-final', reason: MEMBER_FINAL[errCode], ...base };
  if (errCode === 40004) return retry('server-busy', errCode, msg);
  if (errCode === 40019) return retry('too-frequent', errCode, msg);
  if (errCode === 40001) {
    // One err_code, two meanings: the message tells a missing player from a malformed request.
    if (upper.includes('ROLE NOT EXIST')) return { kind: 'member-final', reason: 'no-such-player', ...base };
    if (upper.includes('PARAMS')) return { kind: 'config-error', reason: 'params-error', ...base };
  }
  return retry('unknown-answer', errCode, msg);
}

function bodyMessage(answer: ApiAnswer): string | null {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>).message === 'string') {
    return (body as Record<string, string>).message ?? null;
  }
  return null;
}

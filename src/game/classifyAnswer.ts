import type { ApiAnswer } from './apiAnswer.ts';

export type MemberFinalReason =
  | 'wrong-state'
  | 'no-such-player'
  | 'furnace-too-low'
  | 'spend-requirement'
  | 'vip-requirement'
  /** 40010, reported by other bots as a spend/level gate: the code is valid, this member cannot claim it. */
  | 'claim-requirement';
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
export type ConfigErrorReason = 'sign-error' | 'params-error' | 'endpoint-gone';

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
  40010: 'claim-requirement',
};

const CODE_FINAL: Record<number, CodeFinalReason> = {
  40007: 'expired',
  40014: 'not-found',
  40005: 'used-up',
};

/** The fields the classifier reads, as tolerantly as other bots read them. */
interface GameBody {
  /** `code` (0 or 1), or null when the body has none: then err_code and msg decide alone. */
  code: number | null;
  /** `msg` as text: a number (some answers carry one) becomes its digits. Null when absent. */
  msg: string | null;
  /** `err_code`, else `errCode`; null when neither is a number. */
  errCode: number | null;
}

// When neither err_code nor errCode came, the message names the answer (the spec's table, read the other way).
const ERR_CODE_FOR_MSG: Record<string, number> = {
  SUCCESS: 20000,
  'RECEIVED.': 40008,
  'SAME TYPE EXCHANGE.': 40011,
  'TIME ERROR.': 40007,
  'CDK NOT FOUND.': 40014,
  'USED.': 40005,
  'TIMEOUT RETRY.': 40004,
  'TOO FREQUENT.': 40019,
  'USER INFO ERROR.': 40020,
  'ROLE NOT EXIST.': 40001,
  'PARAMS ERROR': 40001,
  'STOVE_LV ERROR.': 40006,
  'RECHARGE_MONEY ERROR.': 40017,
  'RECHARGE_MONEY_VIP ERROR.': 40018,
};

function numberOrNull(value: unknown): number | null {
  if (value === undefined || value === null || value === '' || typeof value === 'boolean') return null;
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function asGameBody(body: unknown): GameBody | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  const msg =
    typeof record.msg === 'string'
      ? record.msg
      : typeof record.msg === 'number' && Number.isFinite(record.msg)
        ? String(record.msg)
        : null;
  const errCode = numberOrNull(record.err_code) ?? numberOrNull(record.errCode);
  const code = numberOrNull(record.code);
  // Without a message and an error code, nothing in it says what the game did: `{}`, `{"ok":true}`, a proxy's JSON.
  if (
    errCode === null &&
    (msg === null ||
      (code === null && ERR_CODE_FOR_MSG[msg.trim().toUpperCase()] === undefined && !/SIGN ERROR/i.test(msg)))
  ) {
    return null;
  }
  return { code, msg, errCode };
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
  if (httpStatus === 404) {
    // How /player and /captcha went away: the endpoint is gone (or the API base is wrong). Retrying every member
    // cannot help; the operator must look at the configuration.
    return {
      kind: 'config-error',
      reason: 'endpoint-gone',
      errCode: null,
      msg: 'HTTP 404: the gift-code endpoint is not there (check WOS_API_BASE / KINGSHOT_API_BASE, or the game moved its API)',
      httpStatus,
    };
  }
  // 500 included: like 502–504, upstream trouble that passes.
  if (httpStatus >= 500 || (httpStatus !== 200 && httpStatus !== 0)) {
    return retry('upstream-error', null, `HTTP ${httpStatus}`);
  }
  if (answer.tooLarge)
    return retry('garbage', null, `the answer is larger than ${answer.tooLarge.maxBytes} bytes (cut off)`);

  const body = asGameBody(answer.body);
  if (!body) return retry('garbage', null, answer.text.slice(0, 200) || '(empty body)');

  const { msg } = body;
  const upper = (msg ?? '').trim().toUpperCase();
  // err_code (or errCode) decides; the message only when no code came, or to tell 40001's two meanings apart.
  const errCode = body.errCode ?? ERR_CODE_FOR_MSG[upper] ?? null;
  const base = { errCode: body.errCode, msg, httpStatus };

  if (upper.includes('SIGN ERROR')) return { kind: 'config-error', reason: 'sign-error', ...base };
  if (errCode === 20000 || (body.code === 0 && upper.startsWith('SUCCESS'))) {
    // A `code` of 1 beside 20000 contradicts itself: read it as nothing rather than as a success.
    if (body.code === null || body.code === 0) return { kind: 'success', ...base };
    return retry('unknown-answer', body.errCode, msg);
  }
  if (errCode === 40008) return { kind: 'already-redeemed', reason: 'received', ...base };
  if (errCode === 40011) return { kind: 'already-redeemed', reason: 'same-type', ...base };
  if (errCode !== null && CODE_FINAL[errCode]) return { kind: 'code-final', reason: CODE_FINAL[errCode], ...base };
  if (errCode !== null && MEMBER_FINAL[errCode])
    return { kind: 'member-final', reason: MEMBER_FINAL[errCode], ...base };
  if (errCode === 40004) return retry('server-busy', body.errCode, msg);
  if (errCode === 40019) return retry('too-frequent', body.errCode, msg);
  if (errCode === 40001) {
    // One err_code, two meanings: the message tells a missing player from a malformed request.
    if (upper.includes('ROLE NOT EXIST')) return { kind: 'member-final', reason: 'no-such-player', ...base };
    // "params error", or a message that says neither (a number): read as the malformed request, which writes nothing
    // final for the member and tells the operator — never as a player who does not exist.
    return { kind: 'config-error', reason: 'params-error', ...base };
  }
  return retry('unknown-answer', body.errCode, msg);
}

function bodyMessage(answer: ApiAnswer): string | null {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>).message === 'string') {
    return (body as Record<string, string>).message ?? null;
  }
  return null;
}

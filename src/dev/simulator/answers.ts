import type { AnswerStyle } from './types.ts';

/** The gift-code API's JSON answers, byte for byte as the spec lists them (field order included). */
export interface ApiAnswer {
  code: 0 | 1;
  msg: string;
  data: [];
  err_code: number;
}

function answer(code: 0 | 1, msg: string, errCode: number): ApiAnswer {
  return { code, msg, data: [], err_code: errCode };
}

export const ANSWERS = {
  success: answer(0, 'SUCCESS', 20000),
  received: answer(1, 'RECEIVED.', 40008),
  sameType: answer(1, 'SAME TYPE EXCHANGE.', 40011),
  timeError: answer(1, 'TIME ERROR.', 40007),
  notFound: answer(1, 'CDK NOT FOUND.', 40014),
  used: answer(1, 'USED.', 40005),
  timeoutRetry: answer(1, 'TIMEOUT RETRY.', 40004),
  tooFrequent: answer(1, 'TOO FREQUENT.', 40019),
  userInfoError: answer(1, 'USER INFO ERROR.', 40020),
  roleNotExist: answer(1, 'role not exist.', 40001),
  paramsError: answer(1, 'params error', 40001),
  stoveLv: answer(1, 'STOVE_LV ERROR.', 40006),
  rechargeMoney: answer(1, 'RECHARGE_MONEY ERROR.', 40017),
  rechargeVip: answer(1, 'RECHARGE_MONEY_VIP ERROR.', 40018),
  signError: answer(1, 'Sign Error', 0),
} as const satisfies Record<string, ApiAnswer>;

/** Laravel's throttle answer (HTTP 429). */
export const TOO_MANY_ATTEMPTS = { message: 'Too Many Attempts.' } as const;

/** The answer as the style spells it (see AnswerStyle); the documented shape when no style is set. */
export function styledAnswer(answer: ApiAnswer, style: AnswerStyle | null): object {
  if (!style) return answer;
  const out: Record<string, unknown> = {};
  if (!style.omitCode) out.code = answer.code;
  out.msg = style.msg === 'number' && !/sign error/i.test(answer.msg) ? answer.err_code : answer.msg;
  out.data = answer.data;
  out[style.errCodeKey ?? 'err_code'] = answer.err_code;
  return out;
}

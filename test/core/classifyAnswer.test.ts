import { describe, expect, it } from 'vitest';
import type { ApiAnswer } from '../../src/game/apiAnswer.ts';
import { classifyAnswer } from '../../src/game/classifyAnswer.ts';
import { parseRetryAfter } from '../../src/game/giftCodeClient.ts';

/** An answer as the client builds it from an HTTP response with this exact body. */
function answer(text: string, httpStatus = 200, rateLimit: ApiAnswer['rateLimit'] = {}): ApiAnswer {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { httpStatus, body, text, rateLimit, durationMs: 5 };
}

// Every row of the table in shared/spec/giftcode-api.md, with the body the game sends.
const ROWS: Array<[string, string, Record<string, unknown>]> = [
  [
    'SUCCESS',
    '{"code":0,"msg":"SUCCESS","data":[],"err_code":20000}',
    { kind: 'success', errCode: 20000, msg: 'SUCCESS' },
  ],
  [
    'RECEIVED.',
    '{"code":1,"msg":"RECEIVED.","data":[],"err_code":40008}',
    { kind: 'already-redeemed', reason: 'received', errCode: 40008 },
  ],
  [
    'SAME TYPE EXCHANGE.',
    '{"code":1,"msg":"SAME TYPE EXCHANGE.","data":[],"err_code":40011}',
    { kind: 'already-redeemed', reason: 'same-type', errCode: 40011 },
  ],
  [
    'TIME ERROR.',
    '{"code":1,"msg":"TIME ERROR.","data":[],"err_code":40007}',
    { kind: 'code-final', reason: 'expired', errCode: 40007 },
  ],
  [
    'CDK NOT FOUND.',
    '{"code":1,"msg":"CDK NOT FOUND.","data":[],"err_code":40014}',
    { kind: 'code-final', reason: 'not-found', errCode: 40014 },
  ],
  [
    'USED.',
    '{"code":1,"msg":"USED.","data":[],"err_code":40005}',
    { kind: 'code-final', reason: 'used-up', errCode: 40005 },
  ],
  [
    'TIMEOUT RETRY.',
    '{"code":1,"msg":"TIMEOUT RETRY.","data":[],"err_code":40004}',
    { kind: 'retry-later', reason: 'server-busy', errCode: 40004 },
  ],
  [
    'TOO FREQUENT.',
    '{"code":1,"msg":"TOO FREQUENT.","data":[],"err_code":40019}',
    { kind: 'retry-later', reason: 'too-frequent', errCode: 40019 },
  ],
  [
    'USER INFO ERROR.',
    '{"code":1,"msg":"USER INFO ERROR.","data":[],"err_code":40020}',
    { kind: 'member-final', reason: 'wrong-state', errCode: 40020 },
  ],
  [
    'role not exist.',
    '{"code":1,"msg":"role not exist.","data":[],"err_code":40001}',
    { kind: 'member-final', reason: 'no-such-player', errCode: 40001 },
  ],
  [
    'params error',
    '{"code":1,"msg":"params error","data":[],"err_code":40001}',
    { kind: 'config-error', reason: 'params-error', errCode: 40001 },
  ],
  [
    'STOVE_LV ERROR.',
    '{"code":1,"msg":"STOVE_LV ERROR.","data":[],"err_code":40006}',
    { kind: 'member-final', reason: 'furnace-too-low', errCode: 40006 },
  ],
  [
    'RECHARGE_MONEY ERROR.',
    '{"code":1,"msg":"RECHARGE_MONEY ERROR.","data":[],"err_code":40017}',
    { kind: 'member-final', reason: 'spend-requirement', errCode: 40017 },
  ],
  [
    'RECHARGE_MONEY_VIP ERROR.',
    '{"code":1,"msg":"RECHARGE_MONEY_VIP ERROR.","data":[],"err_code":40018}',
    { kind: 'member-final', reason: 'vip-requirement', errCode: 40018 },
  ],
  [
    'Sign Error',
    '{"code":1,"msg":"Sign Error","data":[],"err_code":0}',
    { kind: 'config-error', reason: 'sign-error' },
  ],
];

describe('classifyAnswer: every answer in the API spec', () => {
  it.each(ROWS)('%s', (_name, body, expected) => {
    const result = classifyAnswer(answer(body));
    expect(result).toMatchObject(expected);
    // The raw answer travels with the result, for the ledger and the admin.
    expect(result.msg).toBe(JSON.parse(body).msg);
  });

  it('429 Too Many Attempts → retry later after Retry-After, never a member result', () => {
    const result = classifyAnswer(
      answer('{"message":"Too Many Attempts."}', 429, { retryAfterMs: 17_000, limit: 30, remaining: 0 }),
    );
    expect(result).toMatchObject({
      kind: 'retry-later',
      reason: 'rate-limited',
      delayMs: 17_000,
      msg: 'Too Many Attempts.',
      httpStatus: 429,
    });
  });

  it.each([502, 503, 504])('HTTP %i with an nginx page → retry later (upstream error)', (status) => {
    const result = classifyAnswer(answer(`<html><head><title>${status} Bad Gateway</title></head></html>`, status));
    expect(result).toMatchObject({ kind: 'retry-later', reason: 'upstream-error', msg: `HTTP ${status}` });
  });

  it('a timeout or refused connection → retry later', () => {
    const timeout: ApiAnswer = {
      httpStatus: 0,
      body: null,
      text: '',
      rateLimit: {},
      durationMs: 20_000,
      transportError: { kind: 'timeout', message: 'Headers Timeout Error' },
    };
    const refused: ApiAnswer = { ...timeout, transportError: { kind: 'network', message: 'connect ECONNREFUSED' } };
    expect(classifyAnswer(timeout)).toMatchObject({ kind: 'retry-later', reason: 'timeout' });
    expect(classifyAnswer(refused)).toMatchObject({ kind: 'retry-later', reason: 'network' });
  });

  it.each([
    ['a truncated JSON body', '{"code":0,"msg":"SUCC'],
    ['an HTML page with status 200', '<!DOCTYPE html><title>Just a moment...</title>'],
    ['an empty body', ''],
    ['JSON without msg', '{"ok":true}'],
  ])('garbage: %s → retry later, not a result', (_name, body) => {
    expect(classifyAnswer(answer(body))).toMatchObject({ kind: 'retry-later', reason: 'garbage' });
  });

  it('an err_code the spec does not know → retry later with the raw answer kept', () => {
    const result = classifyAnswer(answer('{"code":1,"msg":"NEW THING.","data":[],"err_code":40099}'));
    expect(result).toMatchObject({ kind: 'retry-later', reason: 'unknown-answer', errCode: 40099, msg: 'NEW THING.' });
  });

  it('Retry-After in seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7_000);
    expect(parseRetryAfter('0.25')).toBe(250);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', Date.parse('Mon, 23 Nov 2026 10:00:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

// What other bots see since August 2026 (issue 12), each with the exact body.
describe('classifyAnswer: the game as other bots now see it', () => {
  it('HTTP 500 is transient like 502–504: retry later, never a member result', () => {
    const result = classifyAnswer(answer('{"message":"Server Error"}', 500));
    expect(result).toMatchObject({ kind: 'retry-later', reason: 'upstream-error', msg: 'HTTP 500', httpStatus: 500 });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['SUCCESS', '{"code":0,"msg":20000,"data":[],"err_code":20000}', { kind: 'success', errCode: 20000, msg: '20000' }],
    [
      'RECEIVED.',
      '{"code":1,"msg":40008,"data":[],"err_code":40008}',
      { kind: 'already-redeemed', reason: 'received', msg: '40008' },
    ],
    [
      'SAME TYPE EXCHANGE.',
      '{"code":1,"msg":40011,"data":[],"err_code":40011}',
      { kind: 'already-redeemed', reason: 'same-type' },
    ],
    ['TIME ERROR.', '{"code":1,"msg":40007,"data":[],"err_code":40007}', { kind: 'code-final', reason: 'expired' }],
    [
      'CDK NOT FOUND.',
      '{"code":1,"msg":40014,"data":[],"err_code":40014}',
      { kind: 'code-final', reason: 'not-found', errCode: 40014, msg: '40014' },
    ],
    ['USED.', '{"code":1,"msg":40005,"data":[],"err_code":40005}', { kind: 'code-final', reason: 'used-up' }],
    [
      'TIMEOUT RETRY.',
      '{"code":1,"msg":40004,"data":[],"err_code":40004}',
      { kind: 'retry-later', reason: 'server-busy' },
    ],
    [
      'TOO FREQUENT.',
      '{"code":1,"msg":40019,"data":[],"err_code":40019}',
      { kind: 'retry-later', reason: 'too-frequent' },
    ],
    [
      'USER INFO ERROR.',
      '{"code":1,"msg":40020,"data":[],"err_code":40020}',
      { kind: 'member-final', reason: 'wrong-state' },
    ],
    [
      'STOVE_LV ERROR.',
      '{"code":1,"msg":40006,"data":[],"err_code":40006}',
      { kind: 'member-final', reason: 'furnace-too-low' },
    ],
  ])('a numeric msg is read through err_code: %s', (_name, body, expected) => {
    expect(classifyAnswer(answer(body))).toMatchObject(expected);
  });

  it('40001 with a numeric msg cannot say "role not exist": read as the malformed request, nothing final for the member', () => {
    expect(classifyAnswer(answer('{"code":1,"msg":40001,"data":[],"err_code":40001}'))).toMatchObject({
      kind: 'config-error',
      reason: 'params-error',
      msg: '40001',
    });
    // The text still tells the two meanings apart.
    expect(classifyAnswer(answer('{"code":1,"msg":"role not exist.","data":[],"errCode":40001}'))).toMatchObject({
      kind: 'member-final',
      reason: 'no-such-player',
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'CDK NOT FOUND.',
      '{"code":1,"msg":"CDK NOT FOUND.","data":[],"errCode":40014}',
      { kind: 'code-final', reason: 'not-found', errCode: 40014 },
    ],
    ['SUCCESS', '{"code":0,"msg":"SUCCESS","data":[],"errCode":20000}', { kind: 'success', errCode: 20000 }],
    [
      'RECEIVED. (numeric msg)',
      '{"code":1,"msg":40008,"data":[],"errCode":40008}',
      { kind: 'already-redeemed', reason: 'received', errCode: 40008 },
    ],
  ])('errCode instead of err_code: %s', (_name, body, expected) => {
    expect(classifyAnswer(answer(body))).toMatchObject(expected);
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'CDK NOT FOUND.',
      '{"msg":"CDK NOT FOUND.","data":[],"err_code":40014}',
      { kind: 'code-final', reason: 'not-found', errCode: 40014 },
    ],
    [
      'TIME ERROR. (numeric msg)',
      '{"msg":40007,"err_code":40007}',
      { kind: 'code-final', reason: 'expired', errCode: 40007 },
    ],
    ['SUCCESS', '{"msg":"SUCCESS","data":[],"err_code":20000}', { kind: 'success', errCode: 20000 }],
    [
      'RECEIVED. without any code field',
      '{"msg":"RECEIVED."}',
      { kind: 'already-redeemed', reason: 'received', errCode: null, msg: 'RECEIVED.' },
    ],
    ['USED. by message alone', '{"msg":"USED.","data":[]}', { kind: 'code-final', reason: 'used-up' }],
    [
      'err_code alone (no msg either)',
      '{"data":[],"err_code":40014}',
      { kind: 'code-final', reason: 'not-found', errCode: 40014, msg: null },
    ],
  ])('a body without `code`: err_code (and msg) decide — %s', (_name, body, expected) => {
    expect(classifyAnswer(answer(body))).toMatchObject(expected);
  });

  it('a SUCCESS err_code beside code 1 contradicts itself: retried, never recorded as a success', () => {
    expect(classifyAnswer(answer('{"code":1,"msg":"SUCCESS","data":[],"err_code":20000}'))).toMatchObject({
      kind: 'retry-later',
      reason: 'unknown-answer',
    });
  });

  it('HTTP 404 means the endpoint is gone: a configuration error with a clear message, not a retry per member', () => {
    const result = classifyAnswer(answer('{"message":"Not Found"}', 404));
    expect(result).toMatchObject({ kind: 'config-error', reason: 'endpoint-gone', httpStatus: 404 });
    expect(result.msg).toMatch(/HTTP 404.*endpoint.*WOS_API_BASE/);
  });

  it('40010 (a spend/level gate): member-final with the raw answer kept', () => {
    const result = classifyAnswer(answer('{"code":1,"msg":"RECHARGE_LEVEL ERROR.","data":[],"err_code":40010}'));
    expect(result).toMatchObject({
      kind: 'member-final',
      reason: 'claim-requirement',
      errCode: 40010,
      msg: 'RECHARGE_LEVEL ERROR.',
    });
  });

  it('an answer past the size cap is garbage (retry later), whatever its start says', () => {
    const big: ApiAnswer = {
      ...answer('{"code":0,"msg":"SUCCESS","err_code":20000,"data":"aaaa'),
      body: null,
      tooLarge: { maxBytes: 1_048_576 },
    };
    expect(classifyAnswer(big)).toMatchObject({
      kind: 'retry-later',
      reason: 'garbage',
      msg: expect.stringMatching(/larger than 1048576 bytes/),
    });
  });

  it.each([
    ['{}', '{}'],
    ['a msg that names nothing, no err_code', '{"msg":"hello"}'],
    ['a JSON list', '[{"code":0,"msg":"SUCCESS","err_code":20000}]'],
    ['a numeric msg alone', '{"msg":40014}'],
  ])('still garbage (retried): %s', (_name, body) => {
    expect(classifyAnswer(answer(body))).toMatchObject({ kind: 'retry-later', reason: 'garbage' });
  });

  it('kept as they are: a timeout is retried and Sign Error stops the run, also with errCode and no code', () => {
    const timeout: ApiAnswer = {
      httpStatus: 0,
      body: null,
      text: '',
      rateLimit: {},
      durationMs: 20_000,
      transportError: { kind: 'timeout', message: 'Body Timeout Error' },
    };
    expect(classifyAnswer(timeout)).toMatchObject({ kind: 'retry-later', reason: 'timeout' });
    expect(classifyAnswer(answer('{"msg":"Sign Error","errCode":0}'))).toMatchObject({
      kind: 'config-error',
      reason: 'sign-error',
    });
  });
});

import { request, type Dispatcher } from 'undici';
import { gameInfo, type Game } from '../../src/game/games.ts';
import { signParams } from '../../src/game/sign.ts';
import type { GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface RedeemOptions {
  /** Sign with this salt instead of the game's. */
  salt?: string;
  /** Fields to leave out (the rest is signed correctly; `sign` itself may be omitted too). */
  omit?: string[];
  /** Fields to set after signing (to break the sign or send empties). */
  override?: Record<string, string>;
  /** Epoch value for `time`; default now in seconds. */
  time?: number;
  dispatcher?: Dispatcher;
  /** Client-side give-up time for headers and body; default 10 s. */
  timeoutMs?: number;
}

/** One signed `POST {game}/api/gift_code`, as a real client would send it. */
export async function redeem(
  sim: GameApiSimulator,
  game: Game,
  player: { fid: string; kid: number | string; cdk: string },
  o: RedeemOptions = {},
): Promise<Reply> {
  const fields: Record<string, string> = {
    fid: player.fid,
    cdk: player.cdk,
    kid: String(player.kid),
    time: String(o.time ?? Math.floor(Date.now() / 1000)),
  };
  for (const name of o.omit ?? []) delete fields[name];
  const form: Record<string, string> = { ...fields, sign: signParams(fields, o.salt ?? gameInfo(game).salt) };
  for (const name of o.omit ?? []) delete form[name];
  Object.assign(form, o.override);
  return post(`${sim.apiBase(game)}gift_code`, new URLSearchParams(form).toString(), o);
}

export async function post(
  url: string,
  body: string,
  o: { dispatcher?: Dispatcher; timeoutMs?: number } = {},
): Promise<Reply> {
  return send(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, o);
}

export async function get(
  url: string,
  headers: Record<string, string> = {},
  o: { dispatcher?: Dispatcher; timeoutMs?: number } = {},
): Promise<Reply> {
  return send(url, { method: 'GET', headers }, o);
}

async function send(
  url: string,
  init: { method: 'GET' | 'POST'; body?: string; headers: Record<string, string> },
  o: { dispatcher?: Dispatcher; timeoutMs?: number },
): Promise<Reply> {
  const timeout = o.timeoutMs ?? 10_000;
  const res = await request(url, {
    ...init,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exact answer bodies from the spec. */
export const BODY = {
  success: '{"code":0,"msg":"SUCCESS","data":[],"err_code":20000}',
  received: '{"code":1,"msg":"RECEIVED.","data":[],"err_code":40008}',
  sameType: '{"code":1,"msg":"SAME TYPE EXCHANGE.","data":[],"err_code":40011}',
  timeError: '{"code":1,"msg":"TIME ERROR.","data":[],"err_code":40007}',
  notFound: '{"code":1,"msg":"CDK NOT FOUND.","data":[],"err_code":40014}',
  used: '{"code":1,"msg":"USED.","data":[],"err_code":40005}',
  timeoutRetry: '{"code":1,"msg":"TIMEOUT RETRY.","data":[],"err_code":40004}',
  tooFrequent: '{"code":1,"msg":"TOO FREQUENT.","data":[],"err_code":40019}',
  userInfoError: '{"code":1,"msg":"USER INFO ERROR.","data":[],"err_code":40020}',
  roleNotExist: '{"code":1,"msg":"role not exist.","data":[],"err_code":40001}',
  paramsError: '{"code":1,"msg":"params error","data":[],"err_code":40001}',
  stoveLv: '{"code":1,"msg":"STOVE_LV ERROR.","data":[],"err_code":40006}',
  rechargeMoney: '{"code":1,"msg":"RECHARGE_MONEY ERROR.","data":[],"err_code":40017}',
  rechargeVip: '{"code":1,"msg":"RECHARGE_MONEY_VIP ERROR.","data":[],"err_code":40018}',
  signError: '{"code":1,"msg":"Sign Error","data":[],"err_code":0}',
  tooManyAttempts: '{"message":"Too Many Attempts."}',
} as const;

/**
 * Standalone simulator for trying things by hand:
 *   giftbot simulator --port 8088 --rate 30/60s --players 50 [--spacing 2000] [--latency 20-200]
 *     [--retry-after reset|omit|SECONDS] (omit: 429s without Retry-After, as the real game answers)
 *   (or `node bin/giftbot.mjs simulator …`, `npm run simulator -- …`)
 * Seeds a demo alliance (fids 10000001.., state 245) and a few codes in both games, prints the URLs and logs every
 * call to stdout.
 */
import { parseArgs } from 'node:util';
import { GAMES, gameInfo, type Game } from '../../game/games.ts';
import { signParams } from '../../game/sign.ts';
import { startGameApiSimulator, type CodeOptions, type RateLimitSpec, type SimulatorCall } from './gameApiSimulator.ts';

const DEMO_STATE = 245;
const FIRST_FID = 10000001;
const FEED_KEY = 'demo-feed-key';

const DEMO_CODES: ReadonlyArray<[string, CodeOptions]> = [
  ['WELCOME2026', {}],
  ['SPRING2026', { sameTypeGroup: 'spring' }],
  ['SPRINGBONUS', { sameTypeGroup: 'spring' }],
  ['LIMITED10', { claimLimit: 10 }],
  ['FURNACE25', { minStoveLv: 25 }],
  ['VIPGIFT', { minVip: 5 }],
  ['OLDCODE2025', { status: 'expired' }],
  ['GONE2026', { status: 'used-up' }],
];

function usage(message: string): never {
  console.error(
    `${message}\nusage: giftbot simulator [--port 8088] [--rate 30/60s|off] [--players 50] [--spacing 2000] [--latency 0|MIN-MAX] [--retry-after reset|omit|SECONDS]`,
  );
  process.exit(2);
}

function parseRate(text: string): RateLimitSpec | null {
  if (text === 'off' || text === '0') return null;
  const m = /^(\d+)\/(\d+)(ms|s|m)?$/.exec(text);
  if (!m) usage(`bad --rate "${text}" (expected e.g. 30/60s, 5/1000ms, off)`);
  const unit = m[3] === 'ms' ? 1 : m[3] === 'm' ? 60_000 : 1000;
  return { limit: Number(m[1]), windowMs: Number(m[2]) * unit };
}

function parseLatency(text: string): number | { min: number; max: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) usage(`bad --latency "${text}" (expected e.g. 50 or 20-200)`);
  return m[2] === undefined ? Number(m[1]) : { min: Number(m[1]), max: Number(m[2]) };
}

function parseCount(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) usage(`bad --${name} "${text}"`);
  return n;
}

function formatCall(call: SimulatorCall): string {
  const time = new Date(call.at).toISOString().slice(11, 23);
  const who = call.fid === undefined ? '' : ` fid=${call.fid} kid=${call.kid ?? '-'} cdk=${call.cdk ?? '-'}`;
  const result = call.errCode === undefined ? (call.msg ?? '') : `${call.errCode} ${call.msg ?? ''}`;
  const flags = [
    call.game !== null && rateLimit !== null && !call.counted ? 'not-counted' : '',
    call.fault ? `fault=${call.fault}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${time} ${call.ip} ${call.method} ${call.path}${who} -> ${call.httpStatus || 'no answer'} ${result}${flags ? ` [${flags}]` : ''}`;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8088' },
    rate: { type: 'string', default: '30/60s' },
    players: { type: 'string', default: '50' },
    spacing: { type: 'string', default: '2000' },
    latency: { type: 'string', default: '0' },
    'retry-after': { type: 'string', default: 'reset' },
  },
});

function parseRetryAfter(text: string): RateLimitSpec['retryAfter'] {
  if (text === 'reset' || text === 'omit') return text;
  return parseCount('retry-after', text);
}

const playerCount = parseCount('players', values.players);
const parsedRate = parseRate(values.rate);
const retryAfter = parseRetryAfter(values['retry-after']);
const rateLimit = parsedRate && { ...parsedRate, ...(retryAfter !== undefined ? { retryAfter } : {}) };
const sim = await startGameApiSimulator({
  port: parseCount('port', values.port),
  rateLimit,
  playerSpacingMs: parseCount('spacing', values.spacing),
  latencyMs: parseLatency(values.latency),
  onCall: (call) => console.log(formatCall(call)),
});

for (const game of GAMES) {
  sim.addPlayers(
    game,
    Array.from({ length: playerCount }, (_, i) => ({
      fid: String(FIRST_FID + i),
      kid: DEMO_STATE,
      // A few low furnaces and VIPs so the requirement answers show up too.
      stoveLv: i % 10 === 9 ? 20 : 30,
      vip: i % 5 === 0 ? 6 : 2,
    })),
  );
  for (const [code, options] of DEMO_CODES) sim.addCode(game, code, options);
}
const liveCodes = DEMO_CODES.filter(([, o]) => o.status === undefined).map(([c]) => c);
sim.setFeed('community', { format: 'community', codes: liveCodes, apiKey: FEED_KEY });
sim.setFeed('list', { format: 'list', codes: liveCodes });
sim.setFeed('text', { format: 'text', codes: liveCodes });

const example = (game: Game): string => {
  const fields = { fid: String(FIRST_FID), cdk: 'WELCOME2026', kid: DEMO_STATE, time: Math.floor(Date.now() / 1000) };
  const sign = signParams(fields, gameInfo(game).salt);
  const body = new URLSearchParams({ ...fields, kid: String(fields.kid), time: String(fields.time), sign }).toString();
  return `curl -si -X POST '${sim.apiBase(game)}gift_code' -d '${body}'`;
};

console.log(`game API simulator listening on ${sim.url}`);
for (const game of GAMES) console.log(`  ${game.padEnd(9)} API base ${sim.apiBase(game)}`);
console.log(
  `  feeds     ${sim.feedUrl('community')} (X-API-Key: ${FEED_KEY}), ${sim.feedUrl('list')}, ${sim.feedUrl('text')}`,
);
console.log(`players: fid ${FIRST_FID}..${FIRST_FID + playerCount - 1}, state ${DEMO_STATE} (both games)`);
console.log(`codes: ${DEMO_CODES.map(([c, o]) => (o.status ? `${c} (${o.status})` : c)).join(', ')}`);
console.log(
  `rate limit: ${rateLimit ? `${rateLimit.limit} per ${rateLimit.windowMs} ms per IP and game` : 'off'}; per-player spacing ${values.spacing} ms`,
);
console.log(`try: ${example('wos')}`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

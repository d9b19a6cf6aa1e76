import type { BotStartup } from './botStartup.ts';
import type { RowResult } from './runScenario.ts';
import { PEER_ENGINES, type Engine } from './scenarios.ts';
import type { TargetCheck } from './targets.ts';

/** giftbot ÷ a peer (the baseline or the Kingshot bot) for one scenario row id. */
export interface Comparison {
  id: string;
  against: Exclude<Engine, 'giftbot'>;
  /** < 1: giftbot finished sooner. */
  wall: number | null;
  /** > 1: giftbot used more of the budget. */
  rate: number | null;
  /** < 1: giftbot spent fewer calls per member. */
  callsPerMemberCode: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? null : a / b;

export function compare(rows: readonly RowResult[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const giftbot of rows.filter((row) => row.engine === 'giftbot')) {
    for (const against of PEER_ENGINES) {
      const peer = rows.find((row) => row.engine === against && row.id === giftbot.id);
      if (!peer) continue;
      comparisons.push({
        id: giftbot.id,
        against,
        wall: ratio(giftbot.wallMs, peer.wallMs),
        rate: ratio(giftbot.rate?.ratio, peer.rate?.ratio),
        callsPerMemberCode: ratio(giftbot.callsPerMemberCode, peer.callsPerMemberCode),
      });
    }
  }
  return comparisons;
}

const num = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? 'n/a' : n.toFixed(digits));
const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;

function clock(ms: number | null, speedUp: number): string {
  if (ms === null) return 'n/a';
  if (speedUp === 1) return seconds(ms);
  const real = ms * speedUp;
  return `${seconds(ms)} (${real >= 120_000 ? `${(real / 60_000).toFixed(1)} min` : seconds(real)})`;
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function renderReport(
  rows: readonly RowResult[],
  comparisons: readonly Comparison[],
  startup: BotStartup | null,
  checks: readonly TargetCheck[],
): string {
  const out: string[] = [];
  const header = [
    'row',
    'scenario',
    'engine',
    'members',
    'budget req/min (window)',
    'wall (real clock)',
    'rate÷budget',
    '429s',
    'calls/member-code',
    'redeemed',
    'peak RSS MB',
    'ELD p99 ms',
    'giftbot÷peer wall',
  ];
  const body = rows.map((row) => {
    // On a peer's row: giftbot's wall time ÷ this peer's.
    const cmp = comparisons.find((c) => c.id === row.id && c.against === row.engine);
    const budget = `${Math.round(row.budget.perMinute)} (${row.budget.window})${row.budget.speedUp === 1 ? '' : ` = ${Math.round(row.budget.realPerMinute)}/min ×${row.budget.speedUp}`}`;
    if (row.notMeasured)
      return [row.id, row.title, row.engine, String(row.members), budget, row.notMeasured, '', '', '', '', '', '', ''];
    return [
      row.id,
      row.title,
      row.engine,
      String(row.members),
      budget,
      clock(row.wallMs, row.budget.speedUp),
      num(row.rate?.ratio),
      String(row.rateLimited),
      // A dead code's figure is its total: the ideal is one call, whatever the member count.
      row.number === 4 ? `${row.apiCalls} call${row.apiCalls === 1 ? '' : 's'} in total` : num(row.callsPerMemberCode),
      `${row.redeemed}/${row.number === 4 ? 0 : row.members}`,
      num(row.peakRssMb, 1),
      num(row.eventLoopP99Ms, 1),
      cmp ? num(cmp.wall) : '',
    ];
  });
  out.push(table(header, body));
  out.push('');
  out.push(
    'budget: wall-clock requests a minute the simulator allowed (its window); "= N/min ×S" is the real budget it',
  );
  out.push(
    'stands for, with every duration (window, latency, spacing, baseline pauses) divided by S. wall: measured, then',
  );
  out.push('(in brackets) × S on the real clock.');

  if (comparisons.length > 0) {
    out.push('');
    out.push(
      'giftbot ÷ each peer (same simulator, same scale; baseline = the oldest bots, kingshot-bot = header-driven):',
    );
    for (const c of comparisons) {
      out.push(
        `  ${c.id} ÷ ${c.against}: wall time ${num(c.wall)}, achieved rate ${num(c.rate)}, calls per member-code ${num(c.callsPerMemberCode)}`,
      );
    }
  }
  out.push(...detailLines(rows));

  const fair = rows.filter((row) => row.fairness);
  if (fair.length > 0) {
    out.push('');
    out.push('fairness (each alliance, from the common start; real clock in brackets):');
    for (const row of fair) {
      const f = row.fairness!;
      const s = row.budget.speedUp;
      out.push(
        `  ${row.id} ${row.engine}: first success min/median/max ${clock(f.firstSuccessMs.min, s)} / ${clock(f.firstSuccessMs.median, s)} / ${clock(f.firstSuccessMs.max, s)}` +
          `${f.withoutSuccess > 0 ? `, ${f.withoutSuccess} without any` : ''}; finished first ${clock(f.finishedMs.first, s)}, last ${clock(f.finishedMs.last, s)}, spread ${clock(f.finishedMs.spread, s)}`,
      );
    }
  }

  if (startup) {
    out.push('');
    out.push('npm start against the fake Discord (spawn → app.ready / startBot readyMs / idle RSS after 2 s):');
    for (const run of startup.runs) {
      out.push(
        `  ${Math.round(run.processToReadyMs)} ms / ${Math.round(run.startBotReadyMs)} ms / ${run.idleRssMb.toFixed(1)} MB`,
      );
    }
  }

  out.push('');
  out.push('targets (issues 7 and 14):');
  for (const check of checks) {
    const mark = check.met === null ? 'NOT MEASURED' : check.met ? 'met' : 'MISSED';
    out.push(`  [${mark}] ${check.row}: ${check.target} — ${check.value}`);
  }
  return out.join('\n');
}

/** The two-egress and scale rows' own figures, under the table. */
function detailLines(rows: readonly RowResult[]): string[] {
  const out: string[] = [];
  for (const row of rows.filter((r) => r.egress)) {
    out.push('');
    out.push(`${row.id} per egress address (each with its own budget at the game; rate ÷ that address's budget):`);
    for (const e of row.egress!)
      out.push(`  ${e.address}: ${e.calls} calls, ${e.rateLimited} 429s, rate÷budget ${num(e.rate.ratio)}`);
    out.push(`  combined: rate ÷ (${row.egress!.length} × budget) ${num(row.rate?.ratio)}`);
  }
  const scale = rows.filter((r) => r.ledger);
  if (scale.length > 0) {
    out.push('');
    out.push('scale (engine overhead; claim+record = the two ledger transactions of one call, timed in the bot):');
    for (const row of scale) {
      const l = row.ledger!;
      out.push(
        `  ${row.id} (${row.store}): ${row.apiCalls} calls in ${seconds(row.wallMs)}, CPU ${num(row.cpuMsPerCall, 3)} ms/call, ` +
          `peak RSS ${num(row.peakRssMb, 1)} MB, claim+record p50 ${num(l.claimRecordMs.p50, 3)} ms / p99 ${num(l.claimRecordMs.p99, 3)} ms ` +
          `(claim p99 ${num(l.claimMs.p99, 3)}, record p99 ${num(l.recordMs.p99, 3)}; ${l.claimRecordMs.samples} calls), ` +
          `ledger pre-filled with ${l.prefillRows.toLocaleString('en')} rows in ${seconds(l.prefillMs)}; ` +
          `runs: ${outcomes(row.runOutcomes)}`,
      );
    }
  }
  return out;
}

const outcomes = (counts: Record<string, number> | null) =>
  counts
    ? Object.entries(counts)
        .map(([outcome, n]) => `${n} ${outcome}`)
        .join(', ')
    : 'n/a';

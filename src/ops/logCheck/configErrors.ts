import { stringField, type LogRecord } from './logRecord.ts';
import { evidence, type ProblemList } from './problemList.ts';

export interface ConfigErrors {
  configError(record: LogRecord, game: string | null): void;
  finish(): void;
}

/** `redeem.config_error` lines: the game API refusing our signed requests, almost always a wrong salt or base. */
export function createConfigErrors(
  options: { configErrors: number; maxEvidence: number },
  problems: ProblemList,
): ConfigErrors {
  const kept: LogRecord[] = [];
  let count = 0;
  /** How often each (game, err_code, reason) came back, for the one-line summary. */
  const byCode = new Map<string, number>();
  return {
    configError(record, game) {
      count += 1;
      const key = `${game ?? '?'} err_code ${stringField(record, 'err_code') ?? '?'} (${stringField(record, 'reason') ?? 'unknown'})`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
      if (kept.length < options.maxEvidence) kept.push(record);
    },
    finish() {
      if (count < options.configErrors) return;
      const detail = [...byCode].map(([key, n]) => `${n}× ${key}`).join(', ');
      problems.report({
        kind: 'config-errors',
        message: `the game API refused ${count} signed request(s) as malformed (${detail}): check the sign salt (WOS_SIGN_SALT / KINGSHOT_SIGN_SALT) and the API base`,
        evidence: kept.map(evidence),
      });
    },
  };
}

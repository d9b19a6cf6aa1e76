import { stringField, type LogRecord } from './logRecord.ts';
import { evidence, type ProblemList } from './problemList.ts';

export interface AnswersNotRecorded {
  notRecorded(record: LogRecord): void;
  finish(): void;
}

/**
 * `redeem.answer_not_recorded` lines: the game answered a call but the ledger write was refused (a newer run took
 * the code) or failed. A SUCCESS among them is a redemption the ledger does not show: the journal has it.
 */
export function createAnswersNotRecorded(options: { maxEvidence: number }, problems: ProblemList): AnswersNotRecorded {
  const kept: LogRecord[] = [];
  let count = 0;
  let successes = 0;
  return {
    notRecorded(record) {
      count += 1;
      if (stringField(record, 'status') === 'success') successes += 1;
      if (kept.length < options.maxEvidence) kept.push(record);
    },
    finish() {
      if (count === 0) return;
      problems.report({
        kind: 'answers-not-recorded',
        message: `${count} answer(s) from the game (${successes} SUCCESS) were not written to the ledger: they are in the answer journal (table answer_journal); reconcile the ledger from it`,
        evidence: kept.map(evidence),
      });
    },
  };
}

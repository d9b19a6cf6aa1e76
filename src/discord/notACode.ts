import type { CodeProblem } from '../game/giftCode.ts';
import { UserError } from './userError.ts';

/** A typed text that is not a gift code: English in the log (as the CLI says it), the member's language in Discord. */
export function notACode(problem: CodeProblem): UserError {
  return UserError.fromCatalogue(`codeCheck.${problem.key}`, problem.vars);
}

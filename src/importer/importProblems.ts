/** One kind of row an import could not take as it was, with how many and a few examples. */
export interface ImportProblem {
  kind: string;
  /** What happened to such rows, in a sentence an admin understands. */
  message: string;
  count: number;
  examples: string[];
  /** Rows not shown in the examples. */
  more: number;
}

const EXAMPLES = 5;

/**
 * Broken or doubtful rows, grouped by kind so a report stays readable with hundreds of them (a count and the first
 * few examples each). Reported, never fatal: the rest of the import goes on.
 */
export class ImportProblems {
  private readonly byKind = new Map<string, ImportProblem>();

  /** `count` rows of this kind, described by `example` (several rows can share one example, e.g. "5 rows"). */
  add(kind: string, message: string, example: string, count = 1): void {
    const problem = this.byKind.get(kind) ?? { kind, message, count: 0, examples: [], more: 0 };
    problem.count += count;
    if (problem.examples.length < EXAMPLES) problem.examples.push(example);
    else problem.more += count;
    this.byKind.set(kind, problem);
  }

  count(kind: string): number {
    return this.byKind.get(kind)?.count ?? 0;
  }

  list(): ImportProblem[] {
    return [...this.byKind.values()];
  }
}

import { isValidFid } from '../game/playerIds.ts';
import { csvProblem, csvProblemText, type CsvProblem } from './csvProblem.ts';

/** Where each field of a roster CSV is: column indexes, and how many columns the header named. */
export interface MemberCsvLayout {
  fid: number;
  state: number | null;
  name: number | null;
  /** The alliance (by name) each line goes to; only a header can name this column. */
  alliance: number | null;
  width: number;
  /** Header cells that are none of ours (shown to the user, so a misspelt column is not silently dropped). */
  ignored: string[];
}

/** Without a header: fid,state,name, as giftbot has always read and written it. */
export const POSITIONAL_LAYOUT: MemberCsvLayout = { fid: 0, state: 1, name: 2, alliance: null, width: 3, ignored: [] };

/** Header names we understand, compared without case, spaces, dots, dashes or underscores. */
const COLUMN_NAMES: Record<'fid' | 'state' | 'name' | 'alliance', readonly string[]> = {
  fid: ['fid', 'id', 'playerid', 'player', 'gameid', 'userid', 'uid'],
  state: ['state', 'kid', 'stateid', 'statenumber', 'server', 'serverid', 'kingdom'],
  name: ['name', 'nickname', 'nick', 'playername', 'ign'],
  alliance: ['alliance', 'alliancename'],
};

const normalise = (cell: string) => cell.toLowerCase().replace(/[\s._-]+/g, '');

function columnOf(cell: string): keyof typeof COLUMN_NAMES | null {
  const key = normalise(cell);
  for (const column of ['fid', 'state', 'name', 'alliance'] as const)
    if (COLUMN_NAMES[column].includes(key)) return column;
  return null;
}

/**
 * The layout a header line gives, or null when the line is data (it holds a player id, or no cell names a column).
 * Throws when the header names columns but none of them is the player id: nothing could be imported.
 */
export function layoutFromHeader(cells: readonly string[]): MemberCsvLayout | null {
  const trimmed = cells.map((cell) => cell.trim());
  if (trimmed.some((cell) => isValidFid(cell) || /^\d+$/.test(cell))) return null;
  const found: Partial<Record<keyof typeof COLUMN_NAMES, number>> = {};
  const ignored: string[] = [];
  trimmed.forEach((cell, index) => {
    const column = columnOf(cell);
    if (column === null || found[column] !== undefined) {
      if (cell !== '') ignored.push(cell);
    } else found[column] = index;
  });
  if (found.fid === undefined && found.state === undefined && found.name === undefined) return null;
  if (found.fid === undefined) {
    throw MemberCsvError.of(csvProblem('upload.csv.noFidColumn', { header: trimmed.join(',') }));
  }
  return {
    fid: found.fid,
    state: found.state ?? null,
    name: found.name ?? null,
    alliance: found.alliance ?? null,
    width: trimmed.length,
    ignored,
  };
}

/** The whole file is refused (binary, not UTF-8, not CSV at all): one message, nothing imported. */
export class MemberCsvError extends Error {
  /** The same problem as a catalogue key, so Discord can say it in the admin's language. */
  readonly problem: CsvProblem | null;

  constructor(message: string, problem: CsvProblem | null = null) {
    super(message);
    this.name = 'MemberCsvError';
    this.problem = problem;
  }

  /** An error whose message (CLI, logs) is the problem's English text. */
  static of(problem: CsvProblem): MemberCsvError {
    return new MemberCsvError(csvProblemText(problem), problem);
  }
}

import { chooseAlliance, listNames } from '../alliances/chooseAlliance.ts';
import type { AllianceRecord, NewMember } from '../store/types.ts';
import { csvProblem, type CsvProblem } from './csvProblem.ts';
import type { MemberCsv } from './readMemberCsv.ts';

/**
 * Which alliance each line of an imported roster goes to: the one its `alliance` column names, else `fallback` (the
 * alliance the admin named, or the server's only one). A line naming no alliance of the server is a bad line.
 */
export function allianceProblem(
  alliances: readonly AllianceRecord[],
  fallback: AllianceRecord | null,
): (name: string | null) => CsvProblem | null {
  const names = listNames(alliances.map((a) => a.name));
  return (name) => {
    if (name === null) return fallback ? null : csvProblem('upload.csv.noAllianceOnLine', { names });
    const choice = chooseAlliance(alliances, name);
    return choice.kind === 'found' ? null : csvProblem('upload.csv.noSuchAlliance', { name, names });
  };
}

/** True when some line has no alliance of its own (no `alliance` column): those need a fallback alliance. */
export function needsFallback(parsed: MemberCsv): boolean {
  return parsed.members.some((member) => member.alliance === undefined);
}

export interface AllianceGroup {
  alliance: AllianceRecord;
  members: NewMember[];
}

/**
 * The good lines grouped by alliance, in the order alliances first appear, each member with the alliance's state
 * when the line has none.
 */
export function groupByAlliance(
  parsed: MemberCsv,
  alliances: readonly AllianceRecord[],
  fallback: AllianceRecord | null,
  addedBy: string,
): AllianceGroup[] {
  const groups = new Map<number, AllianceGroup>();
  for (const { alliance: named, ...member } of parsed.members) {
    const choice = named ? chooseAlliance(alliances, named) : null;
    const alliance = choice?.kind === 'found' ? choice.alliance : fallback;
    if (!alliance) continue; // refused as a bad line already (allianceProblem)
    const group = groups.get(alliance.id) ?? { alliance, members: [] };
    groups.set(alliance.id, group);
    group.members.push({ ...member, state: member.state ?? alliance.defaultState, addedBy });
  }
  return [...groups.values()];
}

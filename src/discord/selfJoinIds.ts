/**
 * The Approve / Reject buttons of a `/me link` request in an `approve` alliance. The id carries the whole request
 * (nothing is stored until an admin decides) and nothing secret: the guild comes from the interaction, the alliance
 * must be one of that guild's, and the router lets only admins press it. Discord allows 100 characters.
 */
const PREFIX = 'giftbot:join';

export interface SelfJoinAction {
  allianceId: number;
  fid: string;
  userId: string;
  /** The checked state, or null when it is to be searched (with `triedState` ruled out). */
  state: number | null;
  triedState: number | null;
  approve: boolean;
}

export function selfJoinButtonId(action: SelfJoinAction): string {
  const state = action.state ?? (action.triedState !== null ? `x${action.triedState}` : 'x');
  return `${PREFIX}:${action.allianceId}:${action.fid}:${action.userId}:${state}:${action.approve ? 'yes' : 'no'}`;
}

export function parseSelfJoinId(customId: string): SelfJoinAction | null {
  const match = /^giftbot:join:(\d{1,15}):([1-9]\d{0,11}):(\d{15,21}):(?:(\d{1,6})|x(\d{1,6})?):(yes|no)$/.exec(
    customId,
  );
  if (!match) return null;
  const [, allianceId, fid, userId, state, tried, decision] = match;
  return {
    allianceId: Number(allianceId),
    fid: fid!,
    userId: userId!,
    state: state !== undefined ? Number(state) : null,
    triedState: tried !== undefined ? Number(tried) : null,
    approve: decision === 'yes',
  };
}

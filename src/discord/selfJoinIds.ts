/**
 * The Approve / Reject buttons of a `/me link` request in an `approve` alliance. The id carries the whole request
 * (nothing is stored until an admin decides) and nothing secret: the guild comes from the interaction, the alliance
 * must be one of that guild's, and the router lets only admins press it. Discord allows 100 characters.
 */
const PREFIX = 'giftbot:join';

/** A Discord locale tag (`de`, `es-419`, `pt-BR`): short, so the id stays within Discord's 100 characters. */
const LOCALE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?$/;

export interface SelfJoinAction {
  allianceId: number;
  fid: string;
  userId: string;
  /** The checked state, or null when it is to be searched (with `triedState` ruled out). */
  state: number | null;
  triedState: number | null;
  approve: boolean;
  /** The member's Discord locale at /me link: their DMs about the decision speak it, and their link keeps it. */
  locale: string | null;
}

export function selfJoinButtonId(action: SelfJoinAction): string {
  const state = action.state ?? (action.triedState !== null ? `x${action.triedState}` : 'x');
  const locale = action.locale && LOCALE.test(action.locale) ? `:${action.locale}` : '';
  return `${PREFIX}:${action.allianceId}:${action.fid}:${action.userId}:${state}:${action.approve ? 'yes' : 'no'}${locale}`;
}

export function parseSelfJoinId(customId: string): SelfJoinAction | null {
  // The locale is optional: buttons posted before it was kept still work.
  const match =
    /^giftbot:join:(\d{1,15}):([1-9]\d{0,11}):(\d{15,21}):(?:(\d{1,6})|x(\d{1,6})?):(yes|no)(?::([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?))?$/.exec(
      customId,
    );
  if (!match) return null;
  const [, allianceId, fid, userId, state, tried, decision, locale] = match;
  return {
    allianceId: Number(allianceId),
    fid: fid!,
    userId: userId!,
    state: state !== undefined ? Number(state) : null,
    triedState: tried !== undefined ? Number(tried) : null,
    approve: decision === 'yes',
    locale: locale ?? null,
  };
}

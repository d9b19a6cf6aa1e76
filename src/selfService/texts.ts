// Every text a member or an admin reads about self-service (/me, the approval message, the DMs), in plain English, in
// ONE place so that the translation catalogue (issue 16, item 3) can take them over key by key. Logs stay elsewhere.
import type { SelfJoinMode } from '../store/types.ts';

const minutes = (n: number): string => `${n} minute${n === 1 ? '' : 's'}`;

/** The game's reasons for a failed redemption, in words, with what the member can do about each. */
export const FAILURE_TEXT: Record<string, { what: string; fix: string }> = {
  'wrong-state': {
    what: 'the game says your state does not match your id',
    fix: 'Run `/me link fid:<your id> state:<your state>` with the state shown in your game profile.',
  },
  'no-such-player': {
    what: 'the game does not know this player id',
    fix: 'Check the id in your game profile, then `/me unlink` and `/me link` again.',
  },
  'furnace-too-low': {
    what: 'your furnace (town centre) level is too low for this code',
    fix: 'Nothing to do now: codes with a level requirement work once you reach it.',
  },
  'spend-requirement': {
    what: 'this code is only for players who made a purchase',
    fix: 'Nothing to do: the code has a spending requirement.',
  },
  'vip-requirement': {
    what: 'your VIP level is too low for this code',
    fix: 'Nothing to do now: the code needs a higher VIP level.',
  },
  'claim-requirement': {
    what: 'the game does not let this player claim this code',
    fix: 'Nothing to do: the code has a requirement your player does not meet.',
  },
};

export const SELF_SERVICE_TEXT = {
  notInServer: 'This works inside a server, not in direct messages.',
  noAlliance: 'This server has no alliance set up yet. Ask an admin to set one up.',
  allianceNeeded: (names: readonly string[]) =>
    `This server has several alliances: name yours with \`alliance:\` (${names.join(', ')}).`,
  unknownAlliance: (name: string) => `This server has no alliance named "${name}".`,
  badFid: 'A player id is digits only (the number in your game profile).',
  joinOff: (alliance: string) =>
    `${alliance} does not take members through \`/me link\`. Ask an admin to add you with \`/member add\`.`,
  slowDown: (waitMinutes: number, limit: number) =>
    `You have checked ${limit} player ids in the last hour, the most I allow. Try again in ${minutes(waitMinutes)}.`,
  alreadyLinkedOther: (fid: string) =>
    `You are already linked to player ${fid}. Run \`/me unlink\` first to link another one.`,
  takenByOther:
    'This player is already linked to another Discord member. If it is yours, ask an admin to unlink it (`/member unlink`).',
  onOtherAlliance: (alliance: string) =>
    `This player is on the roster of ${alliance}. Ask an admin to move it if that is wrong.`,
  checking: 'Checking your player with the game…',
  stateNeeded: 'Tell me your state too (`state:`, the number shown next to your name in the game).',
  unknownPlayer: (fid: string) =>
    `The game does not know player ${fid}. Check the id in your game profile. Nothing was changed.`,
  gameBusy: 'The game did not answer clearly right now. Nothing was changed; please try again in a few minutes.',
  gameRefused: 'The game refused the check (a problem on our side, it has been logged). Nothing was changed.',
  linked: (fid: string, state: number, alliance: string) =>
    `Done: you are linked to player ${fid} (state ${state}) and on the roster of ${alliance}. You get every new code from now on; \`/me status\` shows your results.`,
  alreadyOnRoster: (fid: string, state: number | null, alliance: string) =>
    `Done: you are linked to player ${fid}${state !== null ? ` (state ${state})` : ''}, already on the roster of ${alliance}.`,
  askedApproval: (fid: string, alliance: string, stateNote: string) =>
    `Your request to join ${alliance} as player ${fid} was sent to the admins.${stateNote} You will get a message when it is decided.`,
  stateSearching: (fid: string, tried: number | null) =>
    tried === null
      ? `Player ${fid} exists, but I need its state: I am looking it up now (behind code redemptions, so it can take a few minutes). I will tell you here.`
      : `Player ${fid} is not in state ${tried}. I am looking up the right state now (behind code redemptions, so it can take a few minutes). I will tell you here.`,
  stateNoteForApproval: (tried: number | null) =>
    tried === null
      ? ' Your state is not known yet: it is looked up once you are approved.'
      : ` State ${tried} did not match: the right one is looked up once you are approved.`,
  stateFixed: (fid: string, state: number) =>
    `Done: player ${fid} is in state ${state}, checked with the game. The codes you missed are redeemed for you now.`,
  stateFound: (fid: string, state: number) =>
    `Found it: player ${fid} is in state ${state}. You are on the roster and get every new code from now on.`,
  stateNotFound: (fid: string, why: string) =>
    `I could not find the state of player ${fid} (${why}). Run \`/me link\` again with \`state:\`, or ask an admin.`,
  notLinked: 'You are not linked to a player here. Use `/me link fid:<your player id>`.',
  unlinked: (fid: string) =>
    `You are no longer linked to player ${fid}. The player stays on the roster and its history is kept.`,
  notifyOn: 'You will get a direct message when a code was redeemed for you.',
  notifyOff: 'No more direct messages about codes.',
  // Approval (in the alliance's results channel).
  approvalTitle: (alliance: string) => `Join request for ${alliance}`,
  approvalBody: (userId: string, fid: string, state: number | null) =>
    `<@${userId}> asks to join as player ${fid}${state !== null ? ` (state ${state}, checked with the game)` : ' (state not known yet)'}. An admin decides.`,
  approveButton: 'Approve',
  rejectButton: 'Reject',
  approvedPost: (userId: string, fid: string, adminId: string) =>
    `<@${userId}> joined as player ${fid}, approved by <@${adminId}>.`,
  rejectedPost: (userId: string, fid: string, adminId: string) =>
    `The request of <@${userId}> (player ${fid}) was rejected by <@${adminId}>.`,
  approvalNoChannel: (alliance: string) =>
    `${alliance} has no results channel for admins to approve you in. Ask an admin to add you with \`/member add\`.`,
  approvalStale: 'This request was already decided or its alliance is gone.',
  approvedDm: (fid: string, alliance: string) => `You were approved: player ${fid} is on the roster of ${alliance}.`,
  rejectedDm: (fid: string, alliance: string) => `Your request to join ${alliance} as player ${fid} was not approved.`,
  // Direct messages about codes.
  redeemedDm: (codes: readonly string[], fid: string, name: string | null) =>
    codes.length === 1
      ? `Gift code **${codes[0]}** was redeemed for ${name ?? 'your player'} (${fid}). Check your in-game mail.`
      : `Gift codes ${codes.map((c) => `**${c}**`).join(', ')} were redeemed for ${name ?? 'your player'} (${fid}). Check your in-game mail.`,
  selfJoinMode: (mode: SelfJoinMode) =>
    ({
      open: 'members join with /me link at once',
      approve: 'an admin approves each /me link',
      off: '/me link is off',
    })[mode],
};

/** What `/me status` shows. */
export const STATUS_TEXT = {
  title: 'Your gift codes',
  player: 'Player',
  alliance: 'Alliance',
  state: 'State',
  notify: 'Direct messages',
  recent: 'Recent codes',
  nextSteps: 'What to do',
  stateValue: (state: number | null, status: string) =>
    state === null ? 'not known yet' : status === 'wrong' ? `${state} (the game refused it)` : String(state),
  notOnRoster: 'not on a roster any more',
  notifyValue: (on: boolean, closed: boolean) =>
    !on ? 'off (`/me notify on`)' : closed ? 'on, but your DMs are closed to me' : 'on',
  none: 'No results yet: you get the next code.',
  line: (code: string, status: string, reason: string | null) => {
    if (status === 'success') return `**${code}**: received`;
    if (status === 'already') return `**${code}**: you already had it`;
    if (status === 'failed')
      return `**${code}**: failed — ${FAILURE_TEXT[reason ?? '']?.what ?? reason ?? 'the game refused it'}`;
    return `**${code}**: in progress`;
  },
};

/** Admin-facing texts of this feature (`/member unlink`, `/giftcode history`). */
export const ADMIN_SELF_SERVICE_TEXT = {
  badFid: (fid: string) => `"${fid}" is not a player id (digits, up to 12).`,
  notLinked: (fid: string) => `Player ${fid} is not linked to any Discord member here.`,
  unlinked: (fid: string, userId: string) =>
    `Player ${fid} is no longer linked to <@${userId}>. It stays on the roster; its history is kept.`,
  historyEmpty: 'No redemptions recorded yet: the file has only its header.',
  historyRows: (rows: number, code: string | null) =>
    `${rows} redemption${rows === 1 ? '' : 's'}${code ? ` of ${code}` : ''}.`,
};

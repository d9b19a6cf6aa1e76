import type { CommandHandler } from './commandHandler.ts';
import { handleAlliance } from './handlers/alliance.ts';
import { handleAutoredeem } from './handlers/autoredeem.ts';
import { handleGiftbot } from './handlers/giftbot.ts';
import { handleGiftcode } from './handlers/giftcode.ts';
import { handleMe } from './handlers/me.ts';
import { handleMember } from './handlers/member.ts';
import { handleRedeem } from './handlers/redeem.ts';

/** Slash command name → handler; one entry per definition in definitions/index.ts. */
export const COMMAND_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  redeem: handleRedeem,
  giftcode: handleGiftcode,
  member: handleMember,
  alliance: handleAlliance,
  autoredeem: handleAutoredeem,
  giftbot: handleGiftbot,
  me: handleMe,
};

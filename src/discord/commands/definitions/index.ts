import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ALLIANCE_COMMAND } from './alliance.ts';
import { AUTOREDEEM_COMMAND } from './autoredeem.ts';
import { GIFTBOT_COMMAND } from './giftbot.ts';
import { GIFTCODE_COMMAND } from './giftcode.ts';
import { ME_COMMAND } from './me.ts';
import { MEMBER_COMMAND } from './member.ts';
import { REDEEM_COMMAND } from './redeem.ts';

/** Every slash command, exactly as registered with Discord. Plain data: the deploy script needs nothing else. */
export const COMMAND_DEFINITIONS: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[] = [
  REDEEM_COMMAND,
  GIFTCODE_COMMAND,
  MEMBER_COMMAND,
  ALLIANCE_COMMAND,
  AUTOREDEEM_COMMAND,
  GIFTBOT_COMMAND,
  ME_COMMAND,
];

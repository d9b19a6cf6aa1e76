import type { GuildRecord } from '../../../store/types.ts';
import { UserError } from '../../userError.ts';

export function requireAlliance(guild: GuildRecord | null): GuildRecord {
  if (!guild)
    throw new UserError(
      'This server has no alliance set up yet. Run `/alliance setup game:<game> state:<your state>` first.',
    );
  return guild;
}

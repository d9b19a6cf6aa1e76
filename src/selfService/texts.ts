// The texts of self-service live in the catalogue (src/i18n/locales/self/). This shim is kept only for
// src/discord/commands/handlers/allianceManage.ts, which another change converts: it should then say
// `t(lang, 'selfAdmin.selfJoinMode.<mode>')` itself, and this file goes.
import { t } from '../i18n/i18n.ts';
import type { SelfJoinMode } from '../store/types.ts';

/** @deprecated English only: use `t(lang, 'selfAdmin.selfJoinMode.<mode>')`. */
export const SELF_SERVICE_TEXT = {
  selfJoinMode: (mode: SelfJoinMode): string => t('en', `selfAdmin.selfJoinMode.${mode}`),
};

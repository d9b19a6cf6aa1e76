/** Embed colours: a run in progress, all good, some members missed out, stopped or impossible. */
export const COLORS = {
  progress: 0x5865f2,
  success: 0x57f287,
  warning: 0xe67e22,
  error: 0xed4245,
  info: 0x95a5a6,
} as const;

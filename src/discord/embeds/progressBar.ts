/** A text bar for embeds: `▰▰▰▱▱▱▱▱▱▱ 30%`. */
export function progressBar(done: number, total: number, cells = 16): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(ratio * cells);
  return `${'▰'.repeat(filled)}${'▱'.repeat(cells - filled)} ${Math.floor(ratio * 100)}%`;
}

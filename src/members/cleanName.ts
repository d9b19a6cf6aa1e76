/**
 * Terminal escape sequences: CSI (`ESC [` … final byte, or the 8-bit CSI U+009B), OSC (`ESC ]` … BEL or ST), the
 * string commands DCS/SOS/PM/APC (`ESC P|X|^|_` … ST), and two-byte escapes (`ESC` + one byte). A name printed in a
 * terminal or a log viewer must not be able to move the cursor, retitle the window or hide what follows it.
 */
const ESCAPE_SEQUENCE =
  // oxlint-disable-next-line no-control-regex -- matching terminal escape sequences is the point.
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -~]?/g;
/** Line breaks and tabs read as a space: "Anna\nB" stays two words. */
const BREAKS = /[\t\n\v\f\r\u2028\u2029]+/g;
/** The C0 and C1 control characters and DEL. Letters of every script, emoji and joiners are not touched. */
// oxlint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * A player's name as it enters giftbot (CSV import, `members add`, `/member add`, the importer): escape sequences and
 * control characters removed, line breaks and tabs turned into a space, outer spaces trimmed. Empty means no name.
 */
export function cleanName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const name = raw.replace(ESCAPE_SEQUENCE, '').replace(BREAKS, ' ').replace(CONTROLS, '').trim();
  return name === '' ? null : name;
}

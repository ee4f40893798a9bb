// Text from files others can write (a shared store, a lock file, a parse error quoting them) is
// printed to a terminal: control, C1 and bidi characters are shown as \u escapes, so such a file
// cannot move the cursor, recolour or reorder what the user reads.
// The two classes output names are refused for, too (output-path.ts); tab and newline may be printed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
export const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE = new RegExp(`(?![\\t\\n])${CONTROL_CHARACTER.source}|\\u061c|${BIDI_CONTROL.source}`, 'g');

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

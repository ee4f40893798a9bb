// Words of the commands the report prints for copying into a POSIX shell: each word stays one
// word, so a copied command cannot run anything else.
export const quoted = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
export const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : quoted(s));

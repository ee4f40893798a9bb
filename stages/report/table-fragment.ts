// The tables entry's HTML is pasted into the report, so it is checked tag by tag first: an entry
// from a remote cache could hold anything, and only the markup tables.ts writes is let through.
import { trustedHtml, type SafeHtml } from '../../figures/escape.ts';

const TABLE_TAG = /<\/?(?:table|caption|thead|tbody|tr|th|td|br|small)(?: class="[a-z -]*")?>/g;

export function tableFragment(text: string, file: string): SafeHtml {
  const rest = text.replace(TABLE_TAG, '');
  const bad = /[<>]/.exec(rest);
  if (bad) {
    const at = rest.slice(Math.max(0, bad.index - 30), bad.index + 30);
    throw new Error(
      `${file} of the tables entry contains markup that tables.ts does not write (near ${JSON.stringify(at)}), so it is not pasted into the report. ` +
        'Rebuild it here (`npx tsx pipeline.ts tables --force`) and check the remote cache it came from (`verify`).',
    );
  }
  return trustedHtml(text, 'only the table tags tables.ts writes; their text is escaped');
}

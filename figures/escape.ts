// Text from configs, data, manifests and remotes (domain, class and module names, hosts, backends)
// reaching HTML or SVG. Build markup with html`…`: every interpolation is escaped unless it is a
// SafeHtml (another html`…`, or trustedHtml() with a reason), so an edit cannot forget to.
// Attributes must be double-quoted; an attribute that is a URL takes a url() or fileHref().

/** markup safe to paste; made only here (html``, trustedHtml, url, fileHref, jsonForScript), never from data */
class SafeHtml {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

export type { SafeHtml };
export type HtmlValue = string | number | SafeHtml | null | undefined | readonly HtmlValue[];

/** Escapes for text and double-quoted attributes; a `'` is left as is (single-quoted attributes are refused by html``). */
export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const URL_ATTRIBUTE = /\s(?:href|src|action|formaction|poster|xlink:href)="$/i;

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  let statics = out.toLowerCase();
  values.forEach((value, i) => {
    out += render(value, { out, inScript: statics.lastIndexOf('<script') > statics.lastIndexOf('</script') }) + strings[i + 1]!;
    statics += strings[i + 1]!.toLowerCase();
  });
  return new SafeHtml(out);
}

interface Context {
  /** the markup so far */
  out: string;
  inScript: boolean;
}

function render(value: HtmlValue, at: Context): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map((v) => render(v, at)).join('');
  if (value === null || value === undefined || value === '') return '';
  checkContext(typeof value === 'string', at);
  return escapeHtml(String(value));
}

/** Escaping is enough in text and inside a double-quoted attribute value, nowhere else. */
function checkContext(isString: boolean, { out, inScript }: Context): void {
  const where = out.slice(-40);
  if (inScript) throw new Error(`html\`\`: inside <script> interpolate only jsonForScript(…) (…${where})`);
  const open = out.lastIndexOf('<');
  if (open < 0 || open < out.lastIndexOf('>')) return;
  const tag = out.slice(open);
  const inQuotedValue = (tag.match(/"/g)?.length ?? 0) % 2 === 1;
  if (!inQuotedValue) throw new Error(`html\`\`: inside a tag interpolate only into a double-quoted attribute value (…${where})`);
  if (isString && URL_ATTRIBUTE.test(tag))
    throw new Error(`html\`\`: a URL attribute takes url(…) or fileHref(…), not a string (…${where})`);
}

/** Markup that is already safe for a stated reason (e.g. a fragment checked tag by tag). */
export function trustedHtml(text: string, _reason: string): SafeHtml {
  return new SafeHtml(text);
}

/** A relative link to a file: every path segment percent-encoded, so it can never be a `javascript:` URL. */
export function fileHref(path: string): SafeHtml {
  return new SafeHtml(escapeHtml(path.split('/').map(encodeURIComponent).join('/')));
}

const SAFE_URL = /^(?:https?:\/\/|mailto:|#|data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]*$)/i;

/** An absolute URL of an allowed scheme (http, https, mailto, a fragment, a base64 raster image); anything else, `javascript:` included, throws. */
export function url(href: string): SafeHtml {
  const trimmed = href.trim();
  if (!SAFE_URL.test(trimmed))
    throw new Error(
      `Refusing the URL ${JSON.stringify(href.slice(0, 60))} in HTML: only http(s), mailto, #fragments and base64 images are allowed.`,
    );
  return new SafeHtml(escapeHtml(trimmed));
}

/** JSON to embed in a <script> element (e.g. a Vega-Lite spec): `</script`, `<!--` and line separators cannot end or confuse it. */
export function jsonForScript(value: unknown): SafeHtml {
  const json = JSON.stringify(value) ?? 'null';
  return new SafeHtml(
    json
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}

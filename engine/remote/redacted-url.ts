// Remote URLs in messages: credentials never printed. A URL's user:password and every query value
// (where tokens such as ?access_token=… travel) are masked wherever a URL appears in the text.
export function redactedUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@').replace(
    /(\bhttps?:\/\/[^\s?#]*\?)([^\s#]*)/gi,
    (_m, head: string, query: string) =>
      head +
      query
        .split('&')
        .map((kv) => `${kv.split('=')[0]}=***`)
        .join('&'),
  );
}

/** Why a remote URL is risky: a credential in the URL itself, or a token sent in clear text. */
export function urlWarnings(remote: string, url: string, sendsToken: boolean): string[] {
  const u = new URL(url);
  const out: string[] = [];
  if (u.username || u.password || u.search) {
    out.push(
      `Remote "${remote}": its URL carries credentials or query parameters (${redactedUrl(url)}); they can end up in logs and shell history. Put the token in an environment variable and name it with "tokenEnv" instead.`,
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && (sendsToken || u.username || u.password) && !loopback) {
    out.push(`Remote "${remote}" sends a token over plain http:// to ${u.host}, where anyone on the network can read it. Use https://.`);
  }
  return out;
}

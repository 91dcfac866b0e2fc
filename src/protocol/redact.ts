/**
 * Removes secrets from text that is about to leave the process (log lines, error messages, stack
 * traces). Besides the configured secrets it strips credentials that carry their own marker, so a
 * header or URL that reaches a message by accident is safe even when its value is not a known secret.
 */
const MASK = '***';

const AUTH_SCHEME = /\b(Basic|Bearer)(\s+)[A-Za-z0-9+/=._~-]+/gi;
const AUTH_HEADER = /(authorization["']?\s*[:=]\s*["']?)(?!Basic\b|Bearer\b)[^\s"',;}]+/gi;
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * Secrets shorter than this are masked only where they stand as a whole value: a quoted string, the value
 * of `key=value` or `key:value`, the whole text (not after ": ", which ordinary sentences have too). Masked inside words, a password such as "a" would turn
 * every "a" of every log line into asterisks, and so spell the password out to whoever reads the log.
 */
export const MIN_SUBSTRING_SECRET_LENGTH = 6;

/** A value starts after a quote, `=` or `:` (or the start) and ends at a quote or a separator (or the end). */
const wholeValue = (secret: string): RegExp =>
  new RegExp(`(^|["'=:])${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|["'&;,)\\]}\\s])`, 'g');

export function createRedactor(secrets: string[]): (text: string) => string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    // The same secret can appear encoded: inside a URL, or inside serialised JSON.
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is masked whole.
  const ordered = [...variants].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  const anywhere = ordered.filter((v) => v.length >= MIN_SUBSTRING_SECRET_LENGTH);
  const asValues = ordered.filter((v) => v.length < MIN_SUBSTRING_SECRET_LENGTH).map(wholeValue);

  return (text: string): string => {
    let result = text;
    for (const secret of anywhere) {
      if (result.includes(secret)) result = result.split(secret).join(MASK);
    }
    for (const value of asValues) result = result.replace(value, `$1${MASK}`);
    return result
      .replace(AUTH_SCHEME, `$1$2${MASK}`)
      .replace(AUTH_HEADER, `$1${MASK}`)
      .replace(URL_USERINFO, `$1${MASK}@`);
  };
}

/** The secrets derived from a password and user: the password itself and its Basic auth token. */
export function secretsFor(apiUser: unknown, password: unknown): string[] {
  if (typeof password !== 'string' || password.length === 0) return [];
  const secrets = [password];
  if (typeof apiUser === 'string') secrets.push(Buffer.from(`${apiUser}:${password}`).toString('base64'));
  return secrets;
}

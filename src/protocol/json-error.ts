/**
 * Describes a JSON.parse failure without quoting the input: V8's messages include an excerpt of the
 * text, which may be a password (config file) or personal data (a record).
 */
export function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message);
  if (position) return `invalid JSON near character ${position[1]}`;
  if (/end of (JSON|data) input/i.test(message)) return 'the JSON ends too early';
  return 'invalid JSON';
}

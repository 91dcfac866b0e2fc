/**
 * Audiences with a known answer: every record carries a `key`, and the suite knows for each key whether
 * the connector must enrol a contact (which one) or reject the record (for which reason). Identifiers
 * follow the emulator's sample account (emulator/src/generate.ts): ordinal n is contact 100000 + n.
 */
export type Message = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Expected = { enrol: number } | { reject: string };

export interface Audience {
  input: Message[];
  expected: Map<string, Expected>;
  validContacts: number[];
  stateCount: number;
}

export const STREAM = 'audience';

/** Deterministic generator (mulberry32), so a seed names a whole scenario. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sample contacts that are subscribed and carry both an email and a mobile number. */
export function reachableOrdinals(count: number, from = 1): number[] {
  const out: number[] = [];
  for (let n = from; out.length < count; n++) {
    if (n % 10 === 3 || n % 10 === 7 || n % 50 === 13 || n % 50 === 17) continue;
    if ([11, 21, 31, 41, 51, 61, 77].includes(n % 100)) continue;
    out.push(n);
  }
  return out;
}

export const contactIdOf = (n: number): number => 100_000 + n;

export const record = (data: Record<string, unknown>, stream = STREAM): Message => ({
  type: 'RECORD',
  record: { stream, data, emitted_at: 1_700_000_000_000 },
});

export const streamState = (cursor: number, stream = STREAM): Message => ({
  type: 'STATE',
  state: {
    type: 'STREAM',
    stream: { stream_descriptor: { name: stream }, stream_state: { cursor } },
    id: cursor,
    sourceStats: { recordCount: 0 },
  },
});

export const toLines = (messages: Message[]): string =>
  messages.map((m) => JSON.stringify(m)).join('\n') + '\n';

/**
 * `valid` distinct reachable contacts (by contact ID, email or mobile number at random) mixed with
 * `invalid` records of every kind the connector must reject, a state after every `stateEvery` records.
 */
export function mixedAudience(options: {
  valid: number;
  invalid: number;
  stateEvery: number;
  seed: number;
  firstOrdinal?: number;
  /**
   * Also contacts with a mobile number and no email, with an email and no mobile number, and
   * contacts suppressed across the account (rejected with their reason), this many of each.
   */
  everyKind?: number;
}): Audience {
  const random = seededRandom(options.seed);
  const ordinals = reachableOrdinals(options.valid, options.firstOrdinal ?? 1);
  const expected = new Map<string, Expected>();
  const rows: Record<string, unknown>[] = [];
  ordinals.forEach((n, i) => {
    const key = `v${i}`;
    const pick = random();
    const data: Record<string, unknown> =
      pick < 0.4
        ? { key, contact_id: contactIdOf(n) }
        : pick < 0.8
          ? { key, email: `  User${n}@Example.COM ` }
          : { key, mobile: `+44795${String(n).padStart(7, '0')}` };
    rows.push(data);
    expected.set(key, { enrol: contactIdOf(n) });
  });
  // Sample ordinals ending in 7 have no email, in 3 no mobile number; 21/31/41 (mod 100) are suppressed.
  for (let i = 0; i < (options.everyKind ?? 0); i++) {
    const mobileOnly = 100 * (i + 10) + (i % 2 === 0 ? 7 : 17);
    const emailOnly = 100 * (i + 10) + (i % 2 === 0 ? 3 : 13);
    const byMobile = random() < 0.5;
    rows.push({
      key: `m${i}`,
      ...(byMobile
        ? { mobile: `+44795${String(mobileOnly).padStart(7, '0')}` }
        : { contact_id: contactIdOf(mobileOnly) }),
    });
    expected.set(`m${i}`, { enrol: contactIdOf(mobileOnly) });
    rows.push({ key: `e${i}`, email: `user${emailOnly}@example.com` });
    expected.set(`e${i}`, { enrol: contactIdOf(emailOnly) });
    const [suppressed, reason] = SUPPRESSED[i % SUPPRESSED.length]!;
    rows.push({ key: `s${i}`, contact_id: contactIdOf(100 * (i + 10) + suppressed) });
    expected.set(`s${i}`, { reject: reason });
  }
  const invalidKinds: [string, (i: number) => Record<string, unknown>][] = [
    ['contact_not_found', (i) => ({ email: `nobody${i}@unknown.example.org` })],
    ['invalid_email', (i) => ({ email: `not-an-email-${i}` })],
    ['invalid_contact_id', (i) => ({ contact_id: `12a${i}` })],
    ['missing_identifier', () => ({ first_name: 'No identifier' })],
    // Sample ordinals ending in 11 are unsubscribed contacts; the program cannot reach them.
    ['contact_unsubscribed', (i) => ({ contact_id: contactIdOf(100 * (i % 29) + 11) })],
  ];
  for (let i = 0; i < options.invalid; i++) {
    const [reason, make] = invalidKinds[i % invalidKinds.length]!;
    const key = `x${i}`;
    // An unsubscribed contact repeated would be rejected as a duplicate the second time only if it were
    // resolved first; each invalid contact ID here appears once.
    rows.push({ key, ...make(i) });
    expected.set(key, { reject: reason });
  }
  // Shuffle so invalid records sit between valid ones, as real audiences have them.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const input: Message[] = [];
  let stateCount = 0;
  rows.forEach((data, i) => {
    input.push(record(data));
    if ((i + 1) % options.stateEvery === 0 || i === rows.length - 1) input.push(streamState(++stateCount));
  });
  const validContacts = [...expected.values()].flatMap((outcome) =>
    'enrol' in outcome ? [outcome.enrol] : [],
  );
  return { input, expected, validContacts, stateCount };
}

/** Suppressed sample ordinals (mod 100) and the reason the connector words for each. */
const SUPPRESSED: [number, string][] = [
  [21, 'contact_hard_bounced'],
  [31, 'contact_suppressed'],
  [41, 'contact_isp_complained'],
];

/** What the platform replays after a failed attempt: everything after the last echoed state. */
export function replayAfter(input: Message[], lastEchoedId: unknown): Message[] {
  if (lastEchoedId === undefined) return input;
  const index = input.findIndex((m) => m.type === 'STATE' && m.state.id === lastEchoedId);
  if (index < 0) throw new Error(`echoed state ${String(lastEchoedId)} is not in the input`);
  return input.slice(index + 1);
}

/** Records and expected rejections per state id, to check each echoed state's destinationStats. */
export function segments(
  input: Message[],
  expected: Map<string, Expected>,
): Map<unknown, { records: number; rejected: number }> {
  const out = new Map<unknown, { records: number; rejected: number }>();
  let records = 0;
  let rejected = 0;
  for (const m of input) {
    if (m.type === 'RECORD') {
      records++;
      const outcome = expected.get(m.record.data.key);
      if (outcome && 'reject' in outcome) rejected++;
    } else if (m.type === 'STATE') {
      out.set(m.state.id, { records, rejected });
      records = 0;
      rejected = 0;
    }
  }
  return out;
}

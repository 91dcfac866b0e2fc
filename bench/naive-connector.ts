/**
 * The baseline the e2e benchmark compares against: a connector that takes one record at a time, looks
 * its contact up and enrols it on its own (two calls and one allowance unit per contact), waiting out the
 * hourly allowance when Dotdigital refuses. How it waits is injected: the benchmark advances the
 * emulator's clock instead of sleeping, so hours of allowance waits cost no real time and are reported
 * as emulated time.
 */
import { Pool } from 'undici';

export interface NaiveOptions {
  /** Base URL of the account's region (e.g. the emulator's /r2). */
  baseUrl: string;
  apiUser: string;
  password: string;
  programId: number;
  /** Called with the Retry-After seconds (if any) when the allowance is spent; resolves when it is worth retrying. */
  waitForAllowance: (retryAfterSeconds: number | undefined) => Promise<void>;
}

export interface NaiveFigures {
  records: number;
  enrolled: number;
  notFound: number;
  /** Every HTTP call made, refused ones included. */
  calls: number;
  lookups: number;
  enrolmentCalls: number;
  allowanceRefusals: number;
  allowanceWaits: number;
}

export async function runNaiveConnector(
  emails: Iterable<string>,
  options: NaiveOptions,
): Promise<NaiveFigures> {
  const url = new URL(options.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, { connections: 1 });
  const authorization = `Basic ${Buffer.from(`${options.apiUser}:${options.password}`).toString('base64')}`;
  const figures: NaiveFigures = {
    records: 0,
    enrolled: 0,
    notFound: 0,
    calls: 0,
    lookups: 0,
    enrolmentCalls: 0,
    allowanceRefusals: 0,
    allowanceWaits: 0,
  };
  try {
    for (const email of emails) {
      figures.records++;
      figures.calls++;
      figures.lookups++;
      const lookup = await pool.request({
        method: 'GET',
        path: `${prefix}/contacts/v3/email/${encodeURIComponent(email.trim().toLowerCase())}`,
        headers: { authorization, accept: 'application/json' },
      });
      const found = lookup.statusCode === 200 ? ((await lookup.body.json()) as { contactId: number }) : null;
      if (found === null) {
        await lookup.body.dump();
        if (lookup.statusCode !== 404) throw new Error(`look-up answered ${lookup.statusCode}`);
        figures.notFound++;
        continue;
      }
      for (;;) {
        figures.calls++;
        figures.enrolmentCalls++;
        const enrol = await pool.request({
          method: 'POST',
          path: `${prefix}/v2/programs/enrolments`,
          headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ programId: options.programId, contacts: [found.contactId] }),
        });
        const text = await enrol.body.text();
        if (enrol.statusCode === 201) {
          figures.enrolled++;
          break;
        }
        if (enrol.statusCode === 400 && text.includes('ERROR_ENROLMENT_ALLOWANCE_EXCEEDED')) {
          figures.allowanceRefusals++;
          const retryAfter = Number(enrol.headers['retry-after']);
          figures.allowanceWaits++;
          await options.waitForAllowance(Number.isFinite(retryAfter) ? retryAfter : undefined);
          continue;
        }
        throw new Error(`enrolment answered ${enrol.statusCode}: ${text.slice(0, 200)}`);
      }
    }
  } finally {
    await pool.close();
  }
  return figures;
}

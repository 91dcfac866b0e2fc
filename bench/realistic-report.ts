import { AUDIENCE_KINDS, type AudienceKind } from './audience.js';
import {
  concurrentSyncs,
  MINIMUM_FORMULA,
  PEER_FORMULA,
  PROFILE_DESCRIPTION,
  realistic,
  realisticTable,
} from './realistic.js';
import { table } from './report.js';

/**
 * `realistic`: the table of bench/results/README.md. BENCH_REALISTIC_SIZES (e.g. "10000,100000,1000000")
 * BENCH_REALISTIC_KINDS and BENCH_REALISTIC_ACCOUNT choose the rows (BENCH_REALISTIC_PAIR=0 skips the pair); --quick runs 10,000 records against 1M contacts.
 */
export async function realisticReport(options: {
  quick: boolean;
}): Promise<{ table: string; results: unknown }> {
  const sizes = (process.env.BENCH_REALISTIC_SIZES ?? (options.quick ? '10000' : '10000,100000'))
    .split(',')
    .map(Number);
  const accountContacts = Number(process.env.BENCH_REALISTIC_ACCOUNT ?? 1_000_000);
  const kinds = process.env.BENCH_REALISTIC_KINDS
    ? (process.env.BENCH_REALISTIC_KINDS.split(',') as AudienceKind[])
    : AUDIENCE_KINDS;
  const rows = await realistic({ sizes, accountContacts, kinds });
  // 200 each: both syncs' units fit one allowance hour, since a sync waits at most 14 minutes for it.
  const pairRecords = Number(process.env.BENCH_REALISTIC_PAIR ?? 200);
  if (pairRecords === 0)
    return { table: [PROFILE_DESCRIPTION, '', realisticTable(rows)].join('\n'), results: { rows } };
  const pair = await concurrentSyncs(pairRecords, accountContacts);
  const text = [
    PROFILE_DESCRIPTION,
    '',
    realisticTable(rows),
    '',
    `minimum: ${MINIMUM_FORMULA}`,
    `peer: ${PEER_FORMULA}`,
    '',
    table(
      [
        'two syncs of one account',
        'records each',
        'wall min (waits + CPU)',
        'refused enrolment calls',
        'enrolled',
      ],
      [
        [
          'both at once',
          pair.records,
          (pair.togetherMs / 60_000).toFixed(1),
          pair.refusedTogether,
          pair.enrolledTogether,
        ],
        [
          'one sync, both audiences',
          2 * pair.records,
          (pair.oneSyncMs / 60_000).toFixed(1),
          pair.refusedOne,
          pair.enrolledOne,
        ],
      ],
    ),
    `together / one sync = ${(pair.togetherMs / pair.oneSyncMs).toFixed(3)}`,
  ].join('\n');
  return { table: text, results: { rows, pair } };
}

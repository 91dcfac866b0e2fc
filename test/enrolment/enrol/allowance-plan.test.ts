import { describe, expect, it } from 'vitest';
import { planSync } from '../../../src/enrolment/enrol/allowance-plan.js';

const auto = { enrolmentMode: 'auto' as const, listModeThreshold: 1000 };

describe('planSync: what the real sync would cost', () => {
  it('2,000,000 contacts in list mode: 20 units, no wait for the allowance, import and listing calls at the Low tier', () => {
    const plan = planSync({
      contacts: 2_000_000,
      config: auto,
      listBatchSize: 100_000,
      resolution: { lookups: 0, listingPages: 200 },
    });
    expect(plan).toMatchObject({ mode: 'list', allowance_units: 20, allowance_hours: 0 });
    // Low tier: 200 pages + 20 lists + 20 imports + 20 enrolments + 20 deletions = 280 calls at 35 a minute.
    expect(plan.wall_time_s).toBe(Math.round((280 / 35) * 60));
    expect(plan.formula).toContain('Low 280 calls / 35 per min');
  });

  it('contacts mode spends a unit per 25 contacts and says how many hours of allowance that takes', () => {
    const plan = planSync({
      contacts: 1000,
      config: { enrolmentMode: 'contacts', listModeThreshold: 1000 },
      listBatchSize: 100_000,
      resolution: { lookups: 1000, listingPages: 0 },
    });
    // 40 units: 20 now, 20 in the next hour.
    expect(plan).toMatchObject({ mode: 'contacts', allowance_units: 40, allowance_hours: 1 });
    expect(plan.wall_time_s).toBe(3600);
  });

  it('auto mode plans small batches as staging lists once the answers are known to name nobody, as the engine sends them', () => {
    const input = {
      contacts: 300,
      config: auto,
      listBatchSize: 100_000,
      resolution: { lookups: 300, listingPages: 0 },
    };
    expect(planSync(input)).toMatchObject({ mode: 'contacts', allowance_units: 12 });
    expect(planSync({ ...input, facts: { answersNameMembers: false } })).toMatchObject({
      mode: 'list',
      allowance_units: 1,
    });
  });

  it('counts the units other integrations hold this hour', () => {
    const plan = planSync({
      contacts: 250,
      config: { enrolmentMode: 'contacts', listModeThreshold: 1000 },
      listBatchSize: 100_000,
      resolution: { lookups: 0, listingPages: 1 },
      unitsHeldByOthers: 15,
    });
    expect(plan).toMatchObject({ allowance_units: 10, allowance_hours: 1 });
  });
});

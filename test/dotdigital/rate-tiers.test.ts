/**
 * The connector's endpoint tiers (src/dotdigital/rate-tiers.ts, used for plans and the benchmarks'
 * minimum) and the emulator's (emulator/src/router.ts, what the benchmarks measure against) both follow
 * Dotdigital's endpoint pages; a change on one side alone would make the measured and the planned
 * figures disagree.
 */
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../emulator/src/router.js';
import { type ConnectorEndpoint, ENDPOINT_TIERS } from '../../src/dotdigital/rate-tiers.js';

/** The emulator's name of each endpoint the connector plans for. */
const EMULATOR_ENDPOINT: Record<ConnectorEndpoint, string> = {
  contactLookup: 'GET /contacts/v3/{identifier}/{value}',
  contactListing: 'GET /contacts/v3',
  enrolmentCreate: 'POST /v2/programs/enrolments',
  enrolmentStatus: 'GET /v2/programs/enrolments/{id|status}',
  enrolmentListing: 'GET /v2/programs/enrolments/{id|status}',
  contactImport: 'PUT /contacts/v3/import',
  importStatus: 'GET /contacts/v3/import/{importId}',
  addressBookCreate: 'POST /v2/address-books',
  addressBookDelete: 'DELETE /v2/address-books/{id}',
};

describe('endpoint tiers', () => {
  it('are the same in the connector and in the emulator', () => {
    const emulator = new Map(ENDPOINTS.map((e) => [e.endpoint, e.tier]));
    const pairs = Object.entries(EMULATOR_ENDPOINT).map(([name, endpoint]) => [
      name,
      emulator.get(endpoint),
      ENDPOINT_TIERS[name as ConnectorEndpoint],
    ]);
    expect(pairs.filter(([, emulated, planned]) => emulated !== planned)).toEqual([]);
  });
});

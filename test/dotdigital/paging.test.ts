/** listPrograms reads every page; paged calls send select/skip and limit/marker as the API documents. */
import { describe, expect, it } from 'vitest';
import { v2PageQuery } from '../../src/dotdigital/paging.js';
import type { DotdigitalClient } from '../../src/dotdigital/types.js';
import { scriptedClients } from './support/scripted-client.js';
import type { RecordedRequest, ScriptedReply } from './support/scripted-server.js';

const scripted = scriptedClients();

function serving(reply: (request: RecordedRequest) => ScriptedReply): Promise<DotdigitalClient> {
  return scripted.connect(reply);
}

const programs = Array.from({ length: 1500 }, (_, i) => ({
  id: i + 1,
  name: `P${i + 1}`,
  status: 'Active',
  dateCreated: '2024-01-01',
}));

describe('paging', () => {
  it('lists every program across pages of 1000', async () => {
    const c = await serving((request) => {
      const query = new URL(request.url, 'http://x').searchParams;
      const skip = Number(query.get('skip') ?? 0);
      const select = Number(query.get('select'));
      return { status: 200, body: programs.slice(skip, skip + select) };
    });
    const all = await c.listPrograms();
    expect(all.map((p) => p.id)).toEqual(programs.map((p) => p.id));
    expect(scripted.server!.requests.map((r) => r.url)).toEqual([
      '/v2/programs?select=1000',
      '/v2/programs?select=1000&skip=1000',
    ]);
  });

  it('passes select/skip for enrolments, address books and members', async () => {
    const c = await serving(() => ({ status: 200, body: [] }));
    await c.listEnrolmentsByStatus('Finished', { select: 50, skip: 100 });
    await c.listAddressBooks({ select: 10, skip: 0 });
    await c.listAddressBookContactIds(7, { select: 1000, skip: 2000 });
    expect(scripted.server!.requests.map((r) => r.url)).toEqual([
      '/v2/programs/enrolments/Finished?select=50&skip=100',
      '/v2/address-books?select=10',
      '/v2/address-books/7/contacts?select=1000&skip=2000',
    ]);
  });

  it('passes limit and marker for contacts and returns the next marker', async () => {
    const c = await serving((request) =>
      request.url.includes('marker=')
        ? { status: 200, body: { _items: [], _links: { self: { link: 'x' }, first: { link: 'y' } } } }
        : {
            status: 200,
            body: {
              _items: [
                {
                  contactId: 3,
                  status: 'subscribed',
                  identifiers: { mobileNumber: '447700900123' },
                  channelProperties: { sms: { status: 'subscribed', countryCode: 'GB' } },
                },
              ],
              _links: { self: { link: 'x' }, first: { link: 'y' }, next: { link: 'z', marker: 'abc+/=' } },
            },
          },
    );
    const first = await c.listContacts({ limit: 9000 });
    expect(first).toEqual({
      contacts: [
        { contactId: 3, status: 'subscribed', mobileNumber: '447700900123', smsStatus: 'subscribed' },
      ],
      nextMarker: 'abc+/=',
    });
    const second = await c.listContacts({ limit: 10, marker: 'abc+/=' });
    expect(second).toEqual({ contacts: [] });
    expect(scripted.server!.requests.map((r) => r.url)).toEqual([
      '/contacts/v3?limit=5000&include=channelProperties',
      '/contacts/v3?limit=10&marker=abc%2B%2F%3D&include=channelProperties',
    ]);
  });
});

describe('v2PageQuery', () => {
  it('leaves skip out of the first page (the OpenAPI gives it a minimum of 1)', () => {
    expect(v2PageQuery({ select: 1000, skip: 0 })).toEqual({ select: 1000 });
    expect(v2PageQuery({ select: 1000, skip: 2000 })).toEqual({ select: 1000, skip: 2000 });
  });
});

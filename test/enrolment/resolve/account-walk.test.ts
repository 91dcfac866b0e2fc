import { describe, expect, it } from 'vitest';

import type { ContactPage, DotdigitalClient } from '../../../src/dotdigital/types.js';
import { AccountWalk } from '../../../src/enrolment/resolve/account-walk.js';
import { SystemError } from '../../../src/protocol/errors.js';

/** A client whose contact listing serves the given pages by marker ('' is the first). */
function listing(pages: Record<string, ContactPage>): { client: DotdigitalClient; asked: string[] } {
  const asked: string[] = [];
  const client = {
    listContacts: async (page: { marker?: string }) => {
      const marker = page.marker ?? '';
      asked.push(marker);
      const answer = pages[marker];
      if (!answer) throw new Error(`no page for marker ${marker}`);
      return answer;
    },
  } as unknown as DotdigitalClient;
  return { client, asked };
}

const contact = (contactId: number) => ({
  contactId,
  status: 'subscribed',
  email: `c${contactId}@example.com`,
});

describe('AccountWalk paging', () => {
  it('reads on past an empty page that still links to a next one', async () => {
    const { client, asked } = listing({
      '': { contacts: [contact(1)], nextMarker: 'a' },
      a: { contacts: [], nextMarker: 'b' },
      b: { contacts: [contact(2)] },
    });
    const walk = new AccountWalk(client, new Set(['email']), 1);
    await walk.advance(10);
    expect(asked).toEqual(['', 'a', 'b']);
    expect(walk.complete).toBe(true);
    expect(walk.index.find('email', 'c2@example.com')?.contactId).toBe(2);
  });

  it('stops with a system error, after a bounded number of calls, when a marker comes back', async () => {
    const { client, asked } = listing({
      '': { contacts: [contact(1)], nextMarker: 'a' },
      a: { contacts: [contact(2)], nextMarker: 'b' },
      b: { contacts: [contact(3)], nextMarker: 'a' },
    });
    const walk = new AccountWalk(client, new Set(['email']), 1);
    const error = await walk.advance(1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SystemError);
    expect((error as SystemError).message).toMatch(/marker it had already sent/);
    expect(asked).toEqual(['', 'a', 'b']);
  });
});

import type { IdentifierKind } from '../../config/types.js';
import { MAX_CONTACTS_PAGE } from '../../dotdigital/limits.js';
import { MarkerTrail } from '../../dotdigital/paging.js';
import type { DotdigitalClient } from '../../dotdigital/types.js';
import { ContactIndex } from './contact-index.js';

export const SCAN_PAGE_SIZE = MAX_CONTACTS_PAGE;

/**
 * The sync's one walk of the account's contact listing, read in instalments and never restarted:
 * each page goes into the compact index, and the marker is kept so the next instalment continues
 * where the last one stopped. Instalments run one at a time whoever asks for them.
 */
export class AccountWalk {
  private marker: string | undefined;
  private readonly trail = new MarkerTrail('contact listing (GET /contacts/v3)');
  private done = false;
  private queue: Promise<unknown> = Promise.resolve();
  pagesRead = 0;
  readonly index: ContactIndex;

  constructor(
    private readonly client: DotdigitalClient,
    kinds: ReadonlySet<IdentifierKind>,
    private readonly pageSize: number = SCAN_PAGE_SIZE,
  ) {
    this.index = new ContactIndex(kinds);
  }

  /** True once the last page has been read: an identifier the index lacks names no contact. */
  get complete(): boolean {
    return this.done && this.index.usable;
  }

  /** False when the index had to give up (then look-ups answer everything). */
  get usable(): boolean {
    return this.index.usable;
  }

  /** Reads up to `pages` more pages (after any instalment already under way). */
  advance(pages: number): Promise<void> {
    const next = this.queue.then(() => this.read(pages));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(pages: number): Promise<void> {
    try {
      for (let read = 0; read < pages && !this.done && this.index.usable; read++) {
        const page = await this.client.listContacts(
          this.marker === undefined
            ? { limit: this.pageSize }
            : { limit: this.pageSize, marker: this.marker },
        );
        this.pagesRead++;
        for (const contact of page.contacts) this.index.add(contact);
        if (page.nextMarker === undefined) this.done = true;
        else this.marker = this.trail.follow(page.nextMarker);
      }
    } finally {
      this.index.seal();
    }
  }
}

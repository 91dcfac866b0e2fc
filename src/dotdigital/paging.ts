import { SystemError } from '../protocol/errors.js';

/** A v2 page as a query: the OpenAPI gives `skip` a minimum of 1, so the first page is asked for without it. */
export function v2PageQuery(page: { select: number; skip: number }): { select: number; skip?: number } {
  return page.skip > 0 ? { select: page.select, skip: page.skip } : { select: page.select };
}

/**
 * Marker paging (`GET /contacts/v3`) ends only when Dotdigital stops sending a `next` link. A marker it
 * has sent before would make the reader ask for the same pages again for ever, so it stops the sync
 * instead, saying what to do. An empty page that still links onwards is not the end: only the link says.
 */
export class MarkerTrail {
  private readonly seen = new Set<string>();

  constructor(private readonly listing: string) {}

  /** The marker to ask with next; throws when Dotdigital has sent it before. */
  follow(marker: string): string {
    if (this.seen.has(marker)) {
      throw new SystemError(
        `Dotdigital's ${this.listing} sent a page marker it had already sent, so reading on would never end. ` +
          'Retry later; if it happens again, report it to Dotdigital support (and set resolution to lookup to avoid the contact listing).',
        `${this.listing}: marker ${marker} repeated after ${this.seen.size} pages`,
      );
    }
    this.seen.add(marker);
    return marker;
  }
}

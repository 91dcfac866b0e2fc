import { MAX_CONTACTS_PAGE, MAX_V2_PAGE } from '../../dotdigital/limits.js';
import { MarkerTrail } from '../../dotdigital/paging.js';
import type { Logger } from 'pino';
import type { AddressBook, DotdigitalClient } from '../../dotdigital/types.js';
import { parseStagingListName, stagingListName, type StagingListName } from './staging-list-name.js';

/** A staging list with the parts of its name. */
export interface StagingList {
  id: number;
  name: string;
  parsed: StagingListName;
}

/**
 * The connector's own staging lists for one program: naming, creating, marking enrolled, finding
 * those of other runs, reading members and deleting. Only lists whose name says this connector made
 * them for this program, and which are private, are ever treated as its own.
 */
export class StagingLists {
  private sequence = 0;

  constructor(
    private readonly client: DotdigitalClient,
    private readonly programId: number,
    readonly syncId: string,
    private readonly logger: Logger,
  ) {}

  /** A new list, staged and held by this sync until `leaseUntil`. */
  async create(leaseUntil: number): Promise<StagingList> {
    this.sequence++;
    const parsed: StagingListName = {
      programId: this.programId,
      syncId: this.syncId,
      sequence: this.sequence,
      phase: 'staged',
      until: leaseUntil,
    };
    const name = stagingListName(parsed);
    const list = await this.client.createAddressBook(name, 'Private');
    this.logger.debug({ listId: list.id, name }, 'created a staging list');
    return { id: list.id, name, parsed };
  }

  /** Renames the list into another phase (a longer lease, or enrolled and kept until `until`). */
  async mark(list: StagingList, phase: StagingListName['phase'], until: number): Promise<StagingList> {
    const parsed = { ...list.parsed, phase, until };
    const name = stagingListName(parsed);
    await this.client.renameAddressBook(list.id, name);
    this.logger.debug({ listId: list.id, name }, `marked a staging list ${phase}`);
    return { id: list.id, name, parsed };
  }

  /** Staging lists for this program made by other syncs (this sync's own are known to it). */
  async ofOtherSyncs(): Promise<StagingList[]> {
    const found: StagingList[] = [];
    for (let skip = 0; ; skip += MAX_V2_PAGE) {
      const page = await this.client.listAddressBooks({ select: MAX_V2_PAGE, skip });
      for (const list of page) {
        const parsed = parseStagingListName(list.name);
        if (
          parsed !== undefined &&
          parsed.programId === this.programId &&
          parsed.syncId !== this.syncId &&
          isPrivate(list)
        ) {
          found.push({ id: list.id, name: list.name, parsed });
        }
      }
      if (page.length < MAX_V2_PAGE) return found;
    }
  }

  /**
   * Every member's contact ID, read through Contacts v3 (`~listId`): v2's list members leave out
   * contacts without an email, and a recovery that missed them would enrol them again.
   */
  async members(listId: number): Promise<number[]> {
    const members: number[] = [];
    const trail = new MarkerTrail(`member listing of staging list ${listId} (GET /contacts/v3?~listId)`);
    let marker: string | undefined;
    for (;;) {
      const page = await this.client.listContacts({ limit: MAX_CONTACTS_PAGE, marker, listId });
      for (const contact of page.contacts) members.push(contact.contactId);
      if (page.nextMarker === undefined) return members;
      marker = trail.follow(page.nextMarker);
    }
  }

  /**
   * Deletes the list; a list that cannot be deleted now is left for a later run's recovery, with a
   * warning, rather than failing a sync whose records are done. Resolves whether it was deleted.
   */
  async delete(listId: number): Promise<boolean> {
    try {
      await this.client.deleteAddressBook(listId);
      this.logger.debug({ listId }, 'deleted a staging list');
      return true;
    } catch (error) {
      this.logger.warn(
        { listId, err: error },
        'Could not delete a staging list; the next sync into this program deletes it',
      );
      return false;
    }
  }
}

function isPrivate(list: AddressBook): boolean {
  return list.visibility.toLowerCase() === 'private';
}

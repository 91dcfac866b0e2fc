import type { Logger } from 'pino';
import type { AddressBook, DotdigitalClient } from '../../dotdigital/types.js';
import { parseStagingListName, stagingListName } from './staging-list-name.js';

const PAGE_SIZE = 1000;

/**
 * The connector's own staging lists for one program: naming, creating, finding leftovers of earlier
 * runs, reading members and deleting. Only lists whose name says this connector made them for this
 * program, and which are private, are ever treated as its own.
 */
export class StagingLists {
  private sequence = 0;

  constructor(
    private readonly client: DotdigitalClient,
    private readonly programId: number,
    readonly syncId: string,
    private readonly logger: Logger,
  ) {}

  async create(): Promise<AddressBook> {
    this.sequence++;
    const name = stagingListName({ programId: this.programId, syncId: this.syncId, sequence: this.sequence });
    const list = await this.client.createAddressBook(name, 'Private');
    this.logger.debug({ listId: list.id, name }, 'created a staging list');
    return list;
  }

  /** Staging lists for this program left by other runs. */
  async leftovers(): Promise<AddressBook[]> {
    const found: AddressBook[] = [];
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const page = await this.client.listAddressBooks({ select: PAGE_SIZE, skip });
      for (const list of page) {
        const parsed = parseStagingListName(list.name);
        if (
          parsed !== undefined &&
          parsed.programId === this.programId &&
          parsed.syncId !== this.syncId &&
          list.visibility.toLowerCase() === 'private'
        ) {
          found.push(list);
        }
      }
      if (page.length < PAGE_SIZE) return found;
    }
  }

  async members(listId: number): Promise<number[]> {
    const members: number[] = [];
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const page = await this.client.listAddressBookContactIds(listId, { select: PAGE_SIZE, skip });
      members.push(...page);
      if (page.length < PAGE_SIZE) return members;
    }
  }

  async delete(listId: number): Promise<void> {
    await this.client.deleteAddressBook(listId);
    this.logger.debug({ listId }, 'deleted a staging list');
  }
}

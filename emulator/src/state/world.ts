/** Everything the emulator knows: accounts, their users, settings, the clock and the ID generator. */
import { EmulatorClock } from '../clock.js';
import { createRng, seededUuid, type Rng } from '../rng.js';
import type { EmulatorSettings } from '../settings.js';
import type { Account, ApiUser } from './account.js';

export class World {
  readonly accounts: Account[] = [];
  private readonly usersByName = new Map<string, ApiUser>();
  /** Authorization header value → user, so the hot path decodes each distinct header once. */
  private readonly authCache = new Map<string, ApiUser | null>();
  private readonly idRng: Rng;

  constructor(
    readonly settings: EmulatorSettings,
    readonly clock: EmulatorClock,
    seed: number,
  ) {
    this.idRng = createRng(seed ^ 0x5eed);
  }

  addAccount(account: Account): void {
    if (this.accounts.some((a) => a.id === account.id))
      throw new RangeError(`duplicate account id ${account.id}`);
    for (const user of account.users) {
      if (this.usersByName.has(user.username.toLowerCase()))
        throw new RangeError(`duplicate API user ${user.username}`);
      this.usersByName.set(user.username.toLowerCase(), user);
    }
    this.accounts.push(account);
    this.authCache.clear();
  }

  account(id?: number): Account {
    const account = id === undefined ? this.accounts[0] : this.accounts.find((a) => a.id === id);
    if (!account) throw new RangeError(`no account ${id}`);
    return account;
  }

  /** The user a Basic Authorization header names, or null when it is missing or wrong. */
  authenticate(header: string | undefined): ApiUser | null {
    if (!header) return null;
    const cached = this.authCache.get(header);
    if (cached !== undefined) return cached;
    const user = this.decodeBasic(header);
    if (this.authCache.size > 10_000) this.authCache.clear();
    this.authCache.set(header, user);
    return user;
  }

  newId(): string {
    return seededUuid(this.idRng);
  }

  private decodeBasic(header: string): ApiUser | null {
    if (header.slice(0, 6).toLowerCase() !== 'basic ') return null;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const user = this.usersByName.get(decoded.slice(0, colon).toLowerCase());
    return user && user.password === decoded.slice(colon + 1) ? user : null;
  }
}

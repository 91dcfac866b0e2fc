/** What every API route handler receives once auth, region, rate limits and the body are dealt with. */
import type { Reply } from '../http/reply.js';
import type { Account, ApiUser } from '../state/account.js';
import type { World } from '../state/world.js';

export interface RouteContext {
  world: World;
  user: ApiUser;
  account: Account;
  /** Path parameters in the order they appear in the endpoint template. */
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body; undefined when absent or not JSON. */
  body: unknown;
  /** Scheme, host and port the client used, e.g. http://127.0.0.1:8080. */
  origin: string;
  /** Region prefix the client used ('' for the bare root). */
  prefix: string;
}

export type Handler = (ctx: RouteContext) => Reply;

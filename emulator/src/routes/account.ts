/** GET /v2/account-info: answers on r1 for every account; ApiEndpoint names the account's own region. */
import { json } from '../http/reply.js';
import { allowanceUsed } from '../state/enrolments.js';
import type { RouteContext } from './context.js';

export function accountInfo(ctx: RouteContext) {
  const { account } = ctx;
  const prop = (name: string, type: string, value: string) => ({ name, type, value });
  return json(200, {
    id: account.id,
    properties: [
      prop('Name', 'String', account.name),
      prop('MainEmail', 'String', `owner-${account.id}@example.com`),
      prop('APILocale', 'String', 'en-GB'),
      prop(
        'ApiEndpoint',
        'String',
        ctx.world.settings.accountInfoApiEndpoint || `${ctx.origin}/${account.region}/`,
      ),
      prop('CurrencyCode', 'String', 'GBP'),
      prop('TimeZoneIana', 'String', 'Europe/London'),
      prop('ContactCount', 'Int', String(account.contacts.size)),
      prop('EnrolmentCallsInLastHour', 'Int', String(allowanceUsed(ctx.world, account))),
    ],
  });
}

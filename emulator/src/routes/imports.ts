/** PUT /contacts/v3/import and GET /contacts/v3/import/{id}. */
import { json, v3Error, type Reply } from '../http/reply.js';
import { importJson, startImport } from '../state/imports.js';
import type { RouteContext } from './context.js';

export function putImport(ctx: RouteContext): Reply {
  if (ctx.body === undefined) return v3Error(400, 'contacts:badJson', 'The request JSON is badly formed');
  const imp = startImport(ctx.world, ctx.account, ctx.body);
  return json(202, { importId: imp.id });
}

export function getImport(ctx: RouteContext): Reply {
  const id = ctx.params[0]!;
  const imp = ctx.account.imports.get(id.toLowerCase());
  if (!imp) return v3Error(404, 'contacts:importNotFound', `The import request '${id}' could not be found!`);
  return json(200, importJson(imp));
}

/** GET /v2/programs (select/skip paging) and GET /v2/programs/{id}. */
import { intParam } from '../http/body.js';
import { json, v2Error } from '../http/reply.js';
import { programJson } from '../state/programs.js';
import type { RouteContext } from './context.js';

/** v2 select/skip paging: select 1..1000 (default 1000), skip ≥ 0; anything else is ERROR_PARAMETER_INVALID. */
export function paging(query: URLSearchParams): { select: number; skip: number } | undefined {
  const select = intParam(query.get('select'), 1000);
  const skip = intParam(query.get('skip'), 0);
  if (!(select >= 1 && select <= 1000) || !(skip >= 0)) return undefined;
  return { select, skip };
}

export function listPrograms(ctx: RouteContext) {
  const page = paging(ctx.query);
  if (!page) return v2Error(400, 'ERROR_PARAMETER_INVALID');
  const programs = [...ctx.account.programs.values()].sort((a, b) => a.id - b.id);
  return json(
    200,
    programs.slice(page.skip, page.skip + page.select).map((p) => programJson(p, ctx.world.settings)),
  );
}

export function getProgram(ctx: RouteContext) {
  const raw = ctx.params[0]!;
  const program = /^\d{1,10}$/.test(raw) ? ctx.account.programs.get(Number(raw)) : undefined;
  if (!program) return v2Error(404, 'ERROR_PROGRAM_NOT_FOUND');
  return json(200, programJson(program, ctx.world.settings));
}

/** POST /v2/programs/enrolments, GET …/{id} or …/{status}, GET …/{id}/report-faults. */
import { json, v2Error, type Reply } from '../http/reply.js';
import { createEnrolment, enrolmentJson, faultReportCsv } from '../state/enrolments.js';
import type { RouteContext } from './context.js';
import { paging } from './programs.js';

const STATUS_WORDS = new Map(
  ['NotAvailableInThisVersion', 'Processing', 'Finished'].map((s) => [s.toLowerCase(), s] as const),
);

export function postEnrolment(ctx: RouteContext): Reply {
  const enrolment = createEnrolment(ctx.world, ctx.user, ctx.body);
  return json(201, enrolmentJson(enrolment, ctx.world.settings.enrolmentAnswerMembers, ctx.world.settings));
}

/** The last path segment is either an enrolment status word (a listing) or an enrolment id. */
export function getEnrolmentOrList(ctx: RouteContext): Reply {
  const segment = ctx.params[0]!;
  const status = STATUS_WORDS.get(segment.toLowerCase());
  if (status) {
    const page = paging(ctx.query);
    if (!page) return v2Error(400, 'ERROR_PARAMETER_INVALID');
    const matching = ctx.account.enrolmentOrder.filter((e) => e.status === status);
    return json(
      200,
      matching
        .slice(page.skip, page.skip + page.select)
        .map((e) => enrolmentJson(e, ctx.world.settings.enrolmentAnswerMembers, ctx.world.settings)),
    );
  }
  const enrolment = ctx.account.enrolments.get(segment.toLowerCase());
  if (!enrolment) return v2Error(404, 'ERROR_ENROLMENT_NOT_FOUND');
  return json(200, enrolmentJson(enrolment, ctx.world.settings.enrolmentAnswerMembers, ctx.world.settings));
}

export function getFaultReport(ctx: RouteContext): Reply {
  const enrolment = ctx.account.enrolments.get(ctx.params[0]!.toLowerCase());
  if (!enrolment) return v2Error(404, 'ERROR_ENROLMENT_NOT_FOUND');
  if (enrolment.status !== 'Finished') return v2Error(400, 'ERROR_ENROLMENT_IS_PROCESSING');
  return {
    status: 200,
    body: faultReportCsv(ctx.account, enrolment),
    contentType: 'text/csv; charset=utf-8',
  };
}

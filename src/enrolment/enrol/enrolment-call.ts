import type { Logger } from 'pino';
import { AmbiguousEnrolmentError } from '../../dotdigital/errors.js';
import type { DotdigitalClient, Enrolment } from '../../dotdigital/types.js';
import { programProblem } from '../../dotdigital/error-translation.js';
import { ALLOWANCE_EXCEEDED, hasCode, retryAfterMsOf } from './api-errors.js';
import type { AllowanceWaiter } from './allowance-wait.js';
import { findLostEnrolment } from './ambiguous.js';
import type { Clock } from '../../time/clock.js';

/**
 * How long one batch keeps being resent after unanswered calls before giving up with the client's
 * TransientError: time, like every retry budget (src/dotdigital/retry.ts), so a run of bad luck under
 * Dotdigital's fault mix does not end a sync that would have gone through on the next attempt.
 */
const UNANSWERED_RESEND_BUDGET_MS = 5 * 60_000;

export interface EnrolmentCallContext {
  client: DotdigitalClient;
  programId: number;
  clock: Clock;
  waiter: AllowanceWaiter;
  logger: Logger;
  /** Ids of enrolments this process created; grows with every accepted call. */
  knownEnrolmentIds: Set<string>;
  /** Accepted calls, for stats. */
  onAccepted(enrolment: Enrolment): void;
  /** The batch's checkpoint deadline (checkpoint-budget.ts): the allowance wait ends there at the latest. */
  deadline?: number;
}

/**
 * One accepted `POST /v2/programs/enrolments`: waits for the hourly allowance when refused for it,
 * turns a missing or inactive program into a ConfigError, and after an unanswered call checks the
 * program's recent enrolments before sending it again, so one batch never costs two enrolments.
 * Other refusals (ERROR_CONTACT_NOT_FOUND, …) are left to the caller.
 */
export interface AcceptedCall {
  enrolment: Enrolment;
  /**
   * Sent again after a call whose outcome could not be known: the lost call may have enrolled these
   * contacts, so a fault saying one is already in the program means "enrolled earlier".
   */
  resent: boolean;
}

export async function callEnrolment(
  ctx: EnrolmentCallContext,
  request: { contacts?: number[]; addressBooks?: number[] },
): Promise<AcceptedCall> {
  let unanswered = 0;
  let firstUnansweredAt: number | undefined;
  for (;;) {
    await ctx.waiter.beforeCall(ctx.deadline);
    const sentAt = ctx.clock.now();
    try {
      const enrolment = await ctx.client.createEnrolment({ programId: ctx.programId, ...request });
      return { enrolment: accept(ctx, enrolment, sentAt), resent: unanswered > 0 };
    } catch (error) {
      if (hasCode(error, ALLOWANCE_EXCEEDED)) {
        await ctx.waiter.afterRefusal(retryAfterMsOf(error), ctx.deadline);
        continue;
      }
      const configProblem = programProblem(error, ctx.programId);
      if (configProblem) throw configProblem;
      if (!(error instanceof AmbiguousEnrolmentError)) throw error;

      const lost = await findLostEnrolment(ctx.client, ctx.clock, {
        programId: ctx.programId,
        ...request,
        sentAt,
        knownEnrolmentIds: ctx.knownEnrolmentIds,
      });
      if (lost) {
        ctx.logger.info(
          { enrolmentId: lost.id, reason: error.reason },
          'An enrolment call went unanswered, but Dotdigital lists the enrolment it created; not sending it again',
        );
        return { enrolment: accept(ctx, lost, sentAt), resent: unanswered > 0 };
      }
      unanswered++;
      firstUnansweredAt ??= sentAt;
      if (ctx.clock.now() - firstUnansweredAt >= UNANSWERED_RESEND_BUDGET_MS) throw error;
      ctx.logger.warn(
        { reason: error.reason, attempt: unanswered },
        'An enrolment call went unanswered and no answer names an enrolment for it; sending it again ' +
          '(a contact the lost call enrolled is then reported by Dotdigital as already in the program)',
      );
    }
  }
}

function accept(ctx: EnrolmentCallContext, enrolment: Enrolment, sentAt: number): Enrolment {
  ctx.knownEnrolmentIds.add(enrolment.id);
  ctx.waiter.accepted(sentAt);
  ctx.onAccepted(enrolment);
  return enrolment;
}

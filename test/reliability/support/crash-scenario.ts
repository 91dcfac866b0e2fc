/**
 * One crash-and-resume scenario, shared by the crash suite (a few seeded kills) and the sweep
 * (bench/crash-sweep.sweep.ts, 50+ kills): a sync killed with SIGKILL at seeded points and re-run,
 * as the platform does, from the last echoed state or from the start, until one attempt finishes.
 * It measures rather than asserts: who was lost, who was enrolled twice, which lists were left, and
 * which doubles the README names as residual risk (see `residual`).
 */
import type { EnrolmentAnswerMembers } from '../../../emulator/src/settings.js';
import type { RunningEmulator } from '../../../emulator/src/index.js';
import { parseStagingListName } from '../../../src/enrolment/enrol/staging-list-name.js';
import { mixedAudience, replayAfter, seededRandom, type Message } from './audience.js';
import { enrolmentCounts, reliabilityEmulator, settleEnrolments, stagingLists } from './emulator.js';
import { drawKillPoints } from './kill-points.js';
import { startSync, until } from './sync-process.js';

export type SyncMode = 'contacts' | 'list' | 'auto';

export interface CrashScenario {
  mode: SyncMode;
  answers: EnrolmentAnswerMembers;
  /** Where a re-run starts: after the last echoed state (as the platform does) or from the beginning. */
  restart: 'lastState' | 'start';
  seed: number;
  kills: number;
  /**
   * Once a sync has finished, the same records come again from the start (the platform lost the
   * states, or stdout closed mid-sync): they must enrol nobody twice either.
   */
  again?: boolean;
}

export interface CrashOutcome {
  killedAt: string[];
  finished: boolean;
  /** Valid contacts never enrolled. */
  lost: number[];
  /** Valid contacts enrolled more than once. */
  doubled: number[];
  /**
   * Doubles the README names as residual risk: contacts of an enrolment a killed attempt had
   * accepted when no answer names contacts, and which nothing else marked (a contacts-mode call, or
   * a staging list not yet marked enrolled when the kill came).
   */
  residual: Set<number>;
  /** Staging lists left at the end: kept enrolled for the look-back, and staged ones of killed attempts. */
  listsLeft: { enrolled: number; staged: number };
  rejected: { record: Record<string, unknown>; reason: string }[];
  echoed: Message[];
  errors: string[];
  audience: ReturnType<typeof mixedAudience>;
}

const CONFIG: Record<SyncMode, Record<string, unknown>> = {
  contacts: { enrolment_mode: 'contacts', resolution: 'lookup' },
  list: { enrolment_mode: 'list', resolution: 'auto' },
  auto: { enrolment_mode: 'auto', resolution: 'lookup', list_mode_threshold: 20 },
};

export async function runCrashScenario(
  scenario: CrashScenario,
  onEmulator: (emu: RunningEmulator) => void = () => undefined,
): Promise<CrashOutcome> {
  const emu = await reliabilityEmulator({
    settings: {
      // Longer than a re-run takes, so a re-run meets a killed attempt's enrolment still processing.
      enrolmentProcessingMs: scenario.mode === 'contacts' ? 60_000 : 300_000,
      importProcessingMs: 60_000,
      enrolmentAnswerMembers: scenario.answers,
    },
  });
  onEmulator(emu);
  try {
    // A few real milliseconds per call, so a condition polled every 2 ms catches the sync mid-step.
    emu.control.setFaults({ latencyMs: 3 });
    const random = seededRandom(scenario.seed);
    const audience = mixedAudience({
      valid: 120,
      invalid: 25,
      everyKind: 6,
      stateEvery: 12,
      seed: scenario.seed,
    });
    const plan = drawKillPoints(scenario.mode === 'contacts' ? 'contacts' : 'list', scenario.kills, random);
    const config = { ...CONFIG[scenario.mode], max_allowance_wait_minutes: 0 };
    const unmarked = emu.control.settings().enrolmentAnswerMembers !== 'listed';

    const echoed: Message[] = [];
    const rejected: CrashOutcome['rejected'] = [];
    const killedAt: string[] = [];
    const residual = new Set<number>();
    const errors: string[] = [];
    let lastEchoedId: unknown = undefined;
    let finished = false;
    for (let attempt = 0; attempt < plan.length + 3 && !finished; attempt++) {
      const input = scenario.restart === 'start' ? audience.input : replayAfter(audience.input, lastEchoedId);
      // The allowance is not what this is about: each attempt starts with the hour's calls unspent.
      startFreshHour(emu);
      const callsBefore = emu.control.enrolmentCalls().length;
      const sync = startSync(emu, config);
      const point = plan[attempt];
      const condition = point?.arm(emu, sync);
      void sync.send(input).then(() => sync.end());
      let killed = false;
      if (condition) {
        let exited = false;
        void sync.ended.then(() => (exited = true));
        await until(() => exited || condition(), 60_000, `kill point "${point!.label}"`);
        if (!exited) {
          sync.kill('SIGKILL');
          killed = true;
          killedAt.push(point!.label);
        }
      }
      const ended = await sync.ended;
      if (killed && unmarked) {
        // What this attempt had accepted and not marked when it was killed: every contacts-mode call,
        // and the list of a call accepted the moment before the kill (nothing else could mark it).
        const books = new Map(emu.control.addressBooks().map((book) => [book.id, book]));
        const calls = emu.control.enrolmentCalls().slice(callsBefore);
        for (const [index, call] of calls.entries()) {
          for (const id of call.contacts) residual.add(id);
          if (index !== calls.length - 1 || !killedBeforePolling(emu, call.id)) continue;
          for (const book of call.addressBooks) {
            const list = books.get(book);
            if (list && parseStagingListName(list.name)?.phase !== 'enrolled')
              for (const id of list.contacts) residual.add(id);
          }
        }
      }
      const states = sync.states();
      echoed.push(...states);
      rejected.push(...sync.rejectedRecords());
      if (states.length > 0) lastEchoedId = states.at(-1)!.id;
      if (!killed) {
        errors.push(...sync.errors().map((e) => JSON.stringify(e)));
        if (ended.code !== 0) errors.push(`exit ${ended.code}: ${sync.stderr.slice(-500)}`);
        finished = ended.code === 0 && lastEchoedId === audience.stateCount;
      }
    }
    if (finished && scenario.again) {
      if (unmarked) {
        // Contacts-mode enrolments are known only from Dotdigital's answers, which here name nobody.
        for (const call of emu.control.enrolmentCalls()) for (const id of call.contacts) residual.add(id);
      }
      startFreshHour(emu);
      const sync = startSync(emu, config);
      void sync.send(audience.input).then(() => sync.end());
      const ended = await sync.ended;
      errors.push(...sync.errors().map((e) => JSON.stringify(e)));
      if (ended.code !== 0) errors.push(`again: exit ${ended.code}: ${sync.stderr.slice(-500)}`);
      rejected.push(...sync.rejectedRecords());
    }
    await settleEnrolments(emu);
    const counts = enrolmentCounts(emu, 1002);
    const lists = stagingLists(emu).map((list) => parseStagingListName(list.name));
    return {
      killedAt,
      finished,
      lost: audience.validContacts.filter((id) => (counts.get(id) ?? 0) === 0),
      doubled: audience.validContacts.filter((id) => (counts.get(id) ?? 0) > 1),
      residual,
      listsLeft: {
        enrolled: lists.filter((l) => l?.phase === 'enrolled').length,
        staged: lists.filter((l) => l?.phase === 'staged').length,
      },
      rejected,
      echoed,
      errors,
      audience,
    };
  } finally {
    await emu.stop();
  }
}

/**
 * Whether the kill came in the moment between Dotdigital accepting an enrolment and the connector
 * marking its list: the connector renames the list as soon as the call is answered, before it polls
 * the enrolment, so an enrolment it never polled had not left that moment. Judged from what the
 * emulator saw, not from the kill point's label: a kill point armed on another endpoint (a count of
 * enrolment listings, say, which share the polls' endpoint) can land there too.
 */
function killedBeforePolling(emu: RunningEmulator, enrolmentId: string): boolean {
  const poll = `/v2/programs/enrolments/${enrolmentId}`;
  return !emu.control.requests().some((request) => request.method === 'GET' && request.path.endsWith(poll));
}

/**
 * The connector reads the account's spent allowance from the enrolment listings (every enrolment of the
 * rolling hour), so forgetting the emulator's own count is not enough: an emulated hour passes. That is
 * well inside the look-back and the enrolled lists' keep-until date, and past a dead attempt's lease.
 */
function startFreshHour(emu: RunningEmulator): void {
  emu.control.setClock({ advanceMs: 3_600_000 });
  emu.control.resetAllowance();
}

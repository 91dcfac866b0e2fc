/**
 * The emulator as the reliability suite runs it: the sample account, but its API user has a distinctive
 * password so a leak into any output is unmistakable, and time runs fast so processing delays and the
 * enrolment allowance window pass in moments.
 */
import { sampleFixture } from '../../../emulator/src/fixture.js';
import { startEmulator, type RunningEmulator, type SettingsPatch } from '../../../emulator/src/index.js';

/** Nothing else in the project or its output could contain this by chance. */
export const PASSWORD = 'Rel1ab!lity-Zq7x-pässwörd-4c9e';
export const SECRETS = [PASSWORD, encodeURIComponent(PASSWORD), JSON.stringify(PASSWORD).slice(1, -1)];

/** The Basic token the connector sends: it must not leak either. */
export function basicToken(apiUser: string): string {
  return Buffer.from(`${apiUser}:${PASSWORD}`).toString('base64');
}

export async function reliabilityEmulator(
  options: { timeScale?: number; settings?: SettingsPatch; contacts?: number } = {},
): Promise<RunningEmulator> {
  const fixture = sampleFixture({ contacts: options.contacts ?? 3000 });
  fixture.accounts[0]!.apiUsers[0]!.password = PASSWORD;
  return startEmulator({ fixture, timeScale: options.timeScale ?? 100, settings: options.settings });
}

/** Staging lists the connector creates in list mode (see src/enrolment/enrol/staging-list-name.ts). */
export function stagingLists(emu: RunningEmulator): { id: number; name: string }[] {
  return emu.control.addressBooks().filter((book) => book.name.startsWith('airbyte-dd-enrol'));
}

/** Lets enrolments still Processing finish (emulated time), so the emulator's counts are final. */
export async function settleEnrolments(emu: RunningEmulator): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (emu.control.enrolmentCalls().every((call) => call.status === 'Finished')) return;
    emu.control.setClock({ advanceMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('enrolments are still processing after 500 emulated minutes');
}

/** How many times each contact was enrolled into the program. */
export function enrolmentCounts(emu: RunningEmulator, programId: number): Map<number, number> {
  return new Map(emu.control.enrolmentState(programId).contacts.map((c) => [c.contactId, c.count]));
}

import type { RunningEmulator } from '../emulator/src/index.js';

/** The benchmarks' program: "every time", so repeated runs on one emulator enrol again. */
export const PROGRAM_ID = 1002;

/** A raw config (spec.json's field names) for the emulator's sample account and PROGRAM_ID. */
export function accountConfig(
  emu: RunningEmulator,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    api_user: emu.sample.apiUser,
    api_password: emu.sample.password,
    region: 'auto',
    base_url: emu.url,
    program_id: PROGRAM_ID,
    ...overrides,
  };
}

/**
 * Dates as the v2 API writes them. The published examples (Programs OpenAPI: program and enrolment
 * `dateCreated`) show `2020-01-01 09:40:18.527000+00:00`: a space, microseconds and an offset, not the
 * ISO 8601 `Z` form. The `dateFormat` setting picks one.
 */
import type { EmulatorSettings } from '../settings.js';

export function formatV2Date(epochMs: number, settings: Pick<EmulatorSettings, 'dateFormat'>): string {
  const iso = new Date(epochMs).toISOString();
  if (settings.dateFormat === 'iso') return iso;
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

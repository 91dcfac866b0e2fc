import { parseConfig } from '../../src/config/parse.js';
import type { ConnectorConfig } from '../../src/config/types.js';

/**
 * A ConnectorConfig as the connector builds one: `raw` (spec.json's field names) goes through the real
 * parser, so everything a test leaves out takes the spec's own defaults; `overrides` then set typed
 * fields directly. Test credentials unless `raw` names others.
 */
export function configFrom(
  raw: Record<string, unknown>,
  overrides: Partial<ConnectorConfig> = {},
): ConnectorConfig {
  return {
    ...parseConfig({ api_user: 'apiuser-test@apiconnector.com', api_password: 'S3cret-Pa55word!', ...raw }),
    ...overrides,
  };
}

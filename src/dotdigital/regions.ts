/**
 * Which base URL the client talks to. Pure functions so the trust rules can be tested without a network:
 * an `ApiEndpoint` reported by account-info is only followed when it is provably Dotdigital's (or, when the
 * user pointed us at a base URL, on that same origin), so a tampered answer cannot redirect the credentials.
 */
import type { ConnectorConfig, Region } from '../config/types.js';
import { ConfigError } from '../protocol/errors.js';

/** Dotdigital's regional endpoints, including the legacy dotmailer.com hosts account-info may still report. */
export const DOTDIGITAL_ENDPOINT_PATTERN = /^https:\/\/r[1-3]-api\.(?:dotdigital|dotmailer)\.com\/?$/i;

/** account-info answers on r1 for every account, whatever its own region. */
export const DISCOVERY_BASE_URL = 'https://r1-api.dotdigital.com';

export function regionBaseUrl(region: Region): string {
  return `https://${region}-api.dotdigital.com`;
}

export function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

export function isLoopbackHost(hostname: string): boolean {
  // URL.hostname keeps the brackets around IPv6 literals.
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const ipv4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4) return ipv4.slice(1).every((octet) => Number(octet) <= 255);
  // IPv4-mapped IPv6 form of a 127/8 address, as URL normalises it (::ffff:7f00:1).
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

/**
 * Checks a user-supplied base URL: http(s) only, https unless the host is loopback (credentials must never
 * cross a network in clear text), no credentials, query or fragment. Returns it without trailing slashes.
 */
export function validateBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `The base URL "${raw}" is not a valid URL. Leave base_url empty to use Dotdigital's own endpoints, or give a full URL such as https://r1-api.dotdigital.com.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      `The base URL must start with https:// (got ${url.protocol}). Fix base_url or leave it empty.`,
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      `The base URL must use https:// because the API password is sent with every call; plain http is only accepted for a loopback host (127.0.0.1, localhost, ::1). Fix base_url.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(
      'The base URL must not contain a user name or password; put the API user and password in their own fields.',
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError('The base URL must not contain a query string or fragment. Fix base_url.');
  }
  return stripTrailingSlashes(url.toString());
}

/** How the base URL is found: fixed up front, or discovered through account-info at `discoveryUrl`. */
export type BaseUrlPlan =
  { kind: 'fixed'; baseUrl: string } | { kind: 'discover'; discoveryUrl: string; trustedOrigin?: string };

export function planBaseUrl(config: Pick<ConnectorConfig, 'region' | 'baseUrl'>): BaseUrlPlan {
  const override =
    config.baseUrl === undefined || config.baseUrl === '' ? undefined : validateBaseUrl(config.baseUrl);
  if (config.region === 'auto') {
    if (override === undefined) return { kind: 'discover', discoveryUrl: DISCOVERY_BASE_URL };
    return { kind: 'discover', discoveryUrl: override, trustedOrigin: new URL(override).origin };
  }
  return { kind: 'fixed', baseUrl: override ?? regionBaseUrl(config.region) };
}

/**
 * Whether account-info's ApiEndpoint may be used: it must be one of Dotdigital's regional endpoints, or share
 * the origin (scheme, host and port) of the base URL the user configured — which is how a proxy or the
 * emulator serves several regions.
 */
export function isTrustedApiEndpoint(apiEndpoint: string, trustedOrigin?: string): boolean {
  if (DOTDIGITAL_ENDPOINT_PATTERN.test(apiEndpoint)) return true;
  if (trustedOrigin === undefined) return false;
  let url: URL;
  try {
    url = new URL(apiEndpoint);
  } catch {
    return false;
  }
  return url.origin === trustedOrigin && !url.username && !url.password && !url.search && !url.hash;
}

/**
 * Resolves the ApiEndpoint answer into the base URL to use, or explains why it cannot be trusted.
 * `apiEndpoint` undefined means account-info did not report one.
 */
export function resolveDiscoveredBaseUrl(
  apiEndpoint: string | undefined,
  plan: Extract<BaseUrlPlan, { kind: 'discover' }>,
): string {
  if (apiEndpoint === undefined || apiEndpoint.trim() === '') {
    throw new ConfigError(
      'Dotdigital did not say which region the account belongs to (account-info has no ApiEndpoint). Set the region (r1, r2 or r3) explicitly in the connector settings.',
      'account-info answered without an ApiEndpoint property',
    );
  }
  const endpoint = apiEndpoint.trim();
  // With base_url set, a real Dotdigital endpoint only confirms the account; the calls stay on base_url
  // (a proxy, or a test double), never leaving for Dotdigital's own host.
  if (plan.trustedOrigin !== undefined && DOTDIGITAL_ENDPOINT_PATTERN.test(endpoint)) {
    return stripTrailingSlashes(plan.discoveryUrl);
  }
  if (!isTrustedApiEndpoint(endpoint, plan.trustedOrigin)) {
    throw new ConfigError(
      'Dotdigital reported an API endpoint for this account that is not a Dotdigital regional endpoint, so the connector will not send the credentials there. Set the region (r1, r2 or r3) explicitly, or check base_url.',
      `untrusted ApiEndpoint from account-info: ${JSON.stringify(endpoint.slice(0, 200))}`,
    );
  }
  return stripTrailingSlashes(endpoint);
}

/** The region a base URL belongs to: Dotdigital's host name, or an emulator/proxy path prefix /rN. */
export function regionOfBaseUrl(baseUrl: string): Region | undefined {
  const host = /^https:\/\/(r[1-3])-api\.(?:dotdigital|dotmailer)\.com\/?$/i.exec(baseUrl);
  if (host) return host[1] as Region;
  const prefix = /\/(r[1-3])\/?$/.exec(baseUrl);
  return prefix ? (prefix[1] as Region) : undefined;
}

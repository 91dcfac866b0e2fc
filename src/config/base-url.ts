/**
 * The base URL rule shared by spec.json and the parser (a test checks spec.json carries this exact
 * pattern): https anywhere, plain http only to a loopback host (the emulator, a local proxy). No
 * credentials, query or fragment: the URL is a prefix that API paths are appended to.
 */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = `${LABEL}(?:\\.${LABEL})*`;
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const LOOPBACK = `(?:localhost|127(?:\\.${OCTET}){3}|\\[::1\\])`;
const PORT = '(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?';
const PATH = '(?:/[^\\s?#]*)?';

export const BASE_URL_PATTERN = `^(?:https://(?:${HOSTNAME}|\\[::1\\])|http://${LOOPBACK})${PORT}${PATH}$`;

export const BASE_URL_REGEX = new RegExp(BASE_URL_PATTERN, 'u');

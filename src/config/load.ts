import { readFile } from 'node:fs/promises';
import { ConfigError } from '../protocol/errors.js';
import { describeJsonError } from '../protocol/json-error.js';

/**
 * Reads a JSON file named on the command line. Any failure is a config error naming the file and the
 * option it came from; the content is never quoted back, since the config file holds the password.
 */
export async function readJsonFile(file: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(
      `Could not read the ${option} file ${file} (${code}). Check that the path given to --${option} exists and is readable.`,
      `read ${option} file ${file}: ${code}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(
      `The ${option} file ${file} is not valid JSON. Fix its syntax; it must hold one JSON object.`,
      `parse ${option} file ${file}: ${describeJsonError(error)}`,
    );
  }
}

/**
 * The destination object that stands for a Dotdigital program in Airbyte's data-activation picker, and
 * the program id read back from it: the one place either is spelt.
 *
 * The name shows the program's name, so the picker is readable ("Welcome journey (program 1001)"), and
 * ends with the id, which alone decides: a program renamed after the connection was set up keeps
 * working under its old object name. The bare `program_1001` of earlier versions is still accepted.
 */
const MAX_PROGRAM_ID = 2147483647;
const READABLE = /\(program ([1-9][0-9]{0,9})\)$/;
const LEGACY = /^program_([1-9][0-9]{0,9})$/;

export function programObjectName(program: { id: number; name: string | null }): string {
  const name = (program.name ?? '').replace(/\s+/g, ' ').trim();
  return `${name || 'Unnamed program'} (program ${program.id})`;
}

/** The program id an object name ends with, or undefined when it names no program. */
export function programIdFromObjectName(objectName: string): number | undefined {
  const match = READABLE.exec(objectName) ?? LEGACY.exec(objectName);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id <= MAX_PROGRAM_ID ? id : undefined;
}

/** How a user should write one, for messages. */
export const PROGRAM_OBJECT_NAME_FORM = '"<program name> (program <id>)"';

import { createDotdigitalClient } from '../dotdigital/client.js';
import { programObjectName } from '../config/program-object-name.js';
import type { DotdigitalClient, Program } from '../dotdigital/types.js';
import type { DestinationOperation } from '../protocol/messages.js';
import { requireConfig, type CommandContext } from './context.js';
import { byHand, translateDotdigitalError } from '../dotdigital/error-translation.js';

/** One DESTINATION_CATALOG with an append operation per Active program, ordered by id. */
export async function runDiscover(ctx: CommandContext): Promise<void> {
  const config = requireConfig(ctx);
  let client: DotdigitalClient | undefined;
  try {
    client = await createDotdigitalClient(config, { logger: ctx.logger }).catch((error: unknown) => {
      throw translateDotdigitalError(error, { doing: "find the account's region" });
    });
    const programs = await client.listPrograms().catch((error: unknown) => {
      throw translateDotdigitalError(error, { doing: 'list the programs', regionSetByHand: byHand(config) });
    });
    const active = programs.filter((program) => program.status === 'Active').sort((a, b) => a.id - b.id);
    ctx.logger.info(`Found ${programs.length} program(s), ${active.length} of them Active`);
    ctx.writer.write({
      type: 'DESTINATION_CATALOG',
      destination_catalog: { operations: active.map(enrolOperation) },
    });
  } finally {
    await client?.close();
  }
}

/**
 * One program's operation. Its json_schema lists exactly the fields a data-activation stream is read
 * for (the matching keys), and nothing else, so the platform's field mapping offers only those.
 */
export function enrolOperation(program: Program): DestinationOperation {
  return {
    object_name: programObjectName(program),
    sync_mode: 'append',
    json_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      title: `${program.name ?? 'Unnamed program'} (program ${program.id})`,
      description:
        `Each record enrols one existing Dotdigital contact into the program "${program.name ?? ''}" (ID ${program.id}). ` +
        'A record needs at least one of contact_id, email and mobile_number; when it has several, the ' +
        "matching key picked for the stream decides, then the identifier mapping's precedence (by default " +
        'contact_id, then email, then mobile_number). Contacts are never created.',
      additionalProperties: false,
      properties: {
        contact_id: {
          type: ['integer', 'string'],
          description: 'Dotdigital contact ID (a positive whole number, or a string of digits).',
        },
        email: { type: 'string', description: 'Email address of an existing contact.' },
        mobile_number: {
          type: 'string',
          description:
            'Mobile number of an existing contact, in international form (such as +447700900123); local numbers need the default country setting.',
        },
      },
    },
    matching_keys: [['contact_id'], ['email'], ['mobile_number']],
  };
}

// Imported rather than read at run time so the build carries spec.json next to the code that prints it.
import spec from '../../spec.json' with { type: 'json' };
import type { CommandContext } from './context.js';

export const CONNECTOR_SPEC: Record<string, unknown> = spec;

export async function runSpec(ctx: CommandContext): Promise<void> {
  ctx.writer.write({ type: 'SPEC', spec: CONNECTOR_SPEC });
}

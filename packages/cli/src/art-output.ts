import type { Snek } from '@snek/core';
import { artLines, terminalLine } from './terminal.js';

/** One match: the art alone. Several: each under a "name (type)" header, a blank line between. */
export function formatSneks(sneks: readonly Snek[]): string {
  if (sneks.length === 1) return artLines(sneks[0]!.content);
  return sneks.map((snek) => `${terminalLine(snek.name)} (${terminalLine(snek.type)})\n${artLines(snek.content)}`).join('\n');
}

import { inspect } from 'node:util';

/**
 * A thrown value in one line, whatever it is: an Error's first message line, or for anything else (a plain or
 * null-prototype object, a string, null, undefined) its JSON, or Node's inspection when JSON cannot show it.
 */
export function describeThrown(value: unknown): string {
  if (value instanceof Error || isErrorLike(value)) return firstLine(String(value.message)) || value.name;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Circular, or a BigInt: fall through to inspect.
  }
  text ??= inspect(value, { depth: 2, breakLength: Infinity });
  return truncate(firstLine(text));
}

function isErrorLike(value: unknown): value is { message: unknown; name: string } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { name?: unknown }).name === 'string';
}

export function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ANSI escape sequences, then any control character but tab and newline: a snek must never drive the terminal.
const UNSAFE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[\]P^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[^\P{Cc}\t\n]/gu;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '');
}

/** The art as stored, ending in exactly the newline it has, or one added. */
export function artLines(content: string): string {
  const safe = terminalSafe(content);
  return safe.endsWith('\n') ? safe : `${safe}\n`;
}

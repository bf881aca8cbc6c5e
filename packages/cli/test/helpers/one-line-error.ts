import { expect } from '@jest/globals';
import type { SnekRun } from './run-snek.js';

/** A failure is one line on stderr, nothing on stdout, no stack trace, and the documented exit status. */
export function expectOneLineError(run: SnekRun, code: number, text: string | RegExp): void {
  expect({ code: run.code, stdout: run.stdout.toString(), stderr: run.stderr }).toEqual({ code, stdout: '', stderr: expect.stringMatching(/^snek: [^\n]+\n$/) });
  expect(run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

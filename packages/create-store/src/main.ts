import { SnekError } from '@snek/core';
import { USAGE, parseScaffoldArgs } from './args.js';
import { nextSteps, packageManagerFrom } from './next-steps.js';
import { answersFromFlags, askForAnswers } from './prompts.js';
import { scaffoldStore } from './scaffold.js';

/** Exit statuses of create-snek-store; documented in its README. */
export const EXIT = {
  OK: 0,
  /** Writing failed: no permission, a full disk. */
  FAILED: 1,
  /** An unknown flag, an invalid package name, a folder that is not empty, or no folder and no terminal to ask on. */
  USAGE: 2,
  /** Ctrl-C at a prompt; nothing was written. */
  CANCELLED: 130,
} as const;

/** Runs the scaffold as the bin does; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const args = parseScaffoldArgs(argv);
    debug = args.debug;
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.OK;
    }
    const interactive = !args.yes && Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const answers = interactive ? await askForAnswers(args) : answersFromFlags(args);
    const result = await scaffoldStore({ folder: answers.folder, packageName: answers.name, description: answers.description });
    process.stdout.write(nextSteps(result, process.cwd(), packageManagerFrom(process.env)));
    return EXIT.OK;
  } catch (error) {
    // @inquirer's error for Ctrl-C; matched by name so that flag runs never load the prompt library.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      process.stderr.write('create-snek-store: cancelled; nothing was written.\n');
      return EXIT.CANCELLED;
    }
    const message = SnekError.is(error) ? error.message : `could not write the store: ${(error as Error)?.message ?? String(error)}`;
    process.stderr.write(`create-snek-store: ${message}${debug && error instanceof Error ? `\n${error.stack}` : ''}\n`);
    return SnekError.hasCode(error, 'USAGE') ? EXIT.USAGE : EXIT.FAILED;
  }
}

import { SnekError } from '@snek/core';
import type { ScaffoldArgs } from './args.js';
import { assertPackageName, defaultPackageName } from './names.js';
import { assertEmptyFolder } from './scaffold.js';

export interface Answers {
  folder: string;
  name: string;
  description: string;
}

export const defaultDescription = (packageName: string) => `A Snek store (${packageName})`;

/** The flags and defaults, asking nothing: for --yes and for runs without a terminal. */
export function answersFromFlags(args: ScaffoldArgs): Answers {
  if (args.folder === undefined) {
    throw new SnekError('USAGE', 'Give the folder to create, e.g. npm create @snek/store my-store (there is no terminal to ask on, or --yes was given).');
  }
  const name = args.name ?? defaultPackageName(args.folder);
  return { folder: args.folder, name, description: args.description ?? defaultDescription(name) };
}

// Each prompt checks its answer as the scaffold will, so a bad answer is asked again instead of failing later.
const check = (assert: (value: string) => void | Promise<void>) => async (value: string) => {
  try {
    await assert(value);
    return true;
  } catch (error) {
    return SnekError.is(error) ? error.message : String(error);
  }
};

/** Asks on the terminal for what the flags left out. Loaded only on a terminal, so flag runs never pay for it. */
export async function askForAnswers(args: ScaffoldArgs): Promise<Answers> {
  const { default: input } = await import('@inquirer/input');
  const folder = args.folder ?? (await input({ message: 'Folder for the new store:', default: 'snek-store-custom', validate: check(assertEmptyFolder) }));
  const name = args.name ?? (await input({ message: 'Package name:', default: defaultPackageName(folder), validate: check(assertPackageName) }));
  const description = args.description ?? (await input({ message: 'Description:', default: defaultDescription(name) }));
  return { folder, name, description };
}

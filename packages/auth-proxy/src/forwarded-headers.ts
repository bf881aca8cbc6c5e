import { z } from 'zod';

// Lengths past any real user name, address or group list: a longer value is not the proxy's.
export const MAX_USER_LENGTH = 256;
const MAX_EMAIL_LENGTH = 320;
const MAX_GROUPS_LENGTH = 8192;
const MAX_GROUP_LENGTH = 256;

// Controls, format characters (bidi overrides, zero-width joiners) and line separators: never in a name to trust.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The user header's value as the person's `sub`, or undefined when it is absent, empty, over-long or unprintable.
 * A comma is refused too: the server joins a repeated header with ", ", so "alice, mallory" is two values, one of
 * which a client may have sent itself.
 */
export function forwardedUser(value: string | undefined): string | undefined {
  const user = value?.trim();
  if (!user || user.length > MAX_USER_LENGTH || UNPRINTABLE.test(user) || user.includes(',')) return undefined;
  return user;
}

/** The email header's value when it is one plain address; else undefined (the person still signs in, without it). */
export function forwardedEmail(value: string | undefined): string | undefined {
  const email = value?.trim();
  if (!email || email.length > MAX_EMAIL_LENGTH || UNPRINTABLE.test(email)) return undefined;
  return z.email().safeParse(email).success ? email : undefined;
}

/** The comma-separated groups, each trimmed; empty, over-long and unprintable ones dropped, repeats once. */
export function forwardedGroups(value: string | undefined): string[] {
  if (!value || value.length > MAX_GROUPS_LENGTH) return [];
  const groups = value.split(',').map((group) => group.trim());
  return [...new Set(groups.filter((group) => group !== '' && group.length <= MAX_GROUP_LENGTH && !UNPRINTABLE.test(group)))];
}

import { scopesForGroups, type GroupScopes, type SignedIn } from '@snek/core';

/** The groups in `claim`: an array of strings, or a single string (some IdPs send one group so). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string' && group.length > 0);
  return [];
}

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** Who the claims (of an ID token, userinfo or an access token) name, and the scopes their groups map to. */
export function signedInFrom(claims: Record<string, unknown>, groupsClaim: string, mapping: GroupScopes): SignedIn {
  const groups = groupsOf(claims, groupsClaim);
  return {
    person: { sub: String(claims['sub']), name: text(claims['name']) ?? text(claims['preferred_username']), email: text(claims['email']) },
    scopes: scopesForGroups(groups, mapping),
    groups,
  };
}

import type { Actor } from '@snek/core';
import type { Person, Session } from './sessions.js';

/** A token's session is for `token:<name>`, so that a session never passes for a person a provider vouched for. */
const TOKEN_SUBJECT = 'token:';

export function tokenPerson(tokenName: string): Person {
  return { sub: `${TOKEN_SUBJECT}${tokenName}`, name: tokenName };
}

export function actorOfToken(tokenName: string): Actor {
  return { kind: 'token', id: tokenName };
}

/** Who acts for a person: `via` names the sign-in provider's entry. */
export function actorOfPerson(person: Person): Actor {
  if (person.sub.startsWith(TOKEN_SUBJECT) && person.via === undefined) return actorOfToken(person.sub.slice(TOKEN_SUBJECT.length));
  return { kind: 'person', id: person.sub, name: person.name, email: person.email, via: person.via };
}

export function actorOfSession(session: Session): Actor {
  return actorOfPerson(session.person);
}

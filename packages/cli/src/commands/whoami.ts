import type { Actor } from '@snek/core';
import { commandContext, describeTokenSource, printJson, type GlobalArgs } from '../context.js';
import { terminalLine } from '../terminal.js';

/** `snek whoami`: who the server takes the token in use for, and what it may do. */
export async function whoami(args: GlobalArgs): Promise<void> {
  const { client, url, tokenSource } = await commandContext(args);
  const me = await client.whoami();
  if (args.json) return printJson(me);
  process.stdout.write(
    [
      `${url}: ${me.actor ? describeActor(me.actor) : 'nobody (no token): run snek login, or give a token'}`,
      `scopes: ${me.scopes.map(terminalLine).join(', ') || 'none'}`,
      `token: ${describeTokenSource(tokenSource)}`,
    ].join('\n') + '\n',
  );
}

/** "Alice Example <alice@example.com> (sub alice, via oidc)", or "the token "ci"". */
export function describeActor(actor: Actor | null): string {
  if (!actor) return 'nobody';
  if (actor.kind === 'token') return `the token "${terminalLine(actor.name ?? actor.id)}"`;
  const name = [actor.name, actor.email && `<${actor.email}>`].filter(Boolean).map((part) => terminalLine(part!)).join(' ');
  const facts = [`sub ${terminalLine(actor.id)}`, actor.via && `via ${terminalLine(actor.via)}`].filter(Boolean).join(', ');
  return name ? `${name} (${facts})` : facts;
}

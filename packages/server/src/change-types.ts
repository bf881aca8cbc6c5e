import type { Change, SnekStore, StoreChangeLog } from '@snek/core';

// Answers kept for the streams that ask about the same change; a few per change, for a few thousand changes.
const REMEMBERED = 2_000;

/** The type a snek had just before a change: a type, null when it had none (absent), undefined when the log cannot say. */
type Before = string | null | undefined;

/**
 * Whether a change concerns sneks of a type, for `?type=` streams: a put of a snek of that type, or any change
 * to a snek that had that type just before it (a put that moves it to another type, a delete). The type before is
 * read from the change of that id that precedes it in the log, once per change however many streams ask.
 */
export class ChangeTypes {
  private readonly before = new Map<number, Promise<Before>>();

  constructor(private readonly store: SnekStore & StoreChangeLog) {}

  async concerns(change: Change, type: string): Promise<boolean> {
    if (change.snek?.type === type) return true;
    const before = await this.typeBefore(change);
    // A delete whose snek's earlier changes retention dropped may have been of this type: it is sent.
    return before === type || (before === undefined && change.op === 'delete');
  }

  private typeBefore(change: Change): Promise<Before> {
    let answer = this.before.get(change.seq);
    if (!answer) {
      answer = this.store.changes({ id: change.id, before: change.seq, order: 'desc', limit: 1 }).then(
        ([previous]) => (previous === undefined ? undefined : (previous.snek?.type ?? null)),
        // The store failing: say nothing is known, so that a delete is sent rather than lost.
        () => undefined,
      );
      this.before.set(change.seq, answer);
      if (this.before.size > REMEMBERED) this.before.delete(this.before.keys().next().value!);
    }
    return answer;
  }
}

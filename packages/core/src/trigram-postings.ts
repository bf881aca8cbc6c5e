/** A posting's flags: the trigram is in the slot's folded name, in its folded id, or both. */
export const IN_NAME = 1;
export const IN_ID = 2;

/** The slots that hold one trigram, each as `slot * 4 + flags`, in the order they were added. */
export interface Posting {
  values: Int32Array;
  length: number;
}

/**
 * Trigram → the slots whose folded name or id holds it. Postings only grow: a slot whose name changes or whose
 * snek is deleted is dropped from them by {@link TrigramPostings.purge}, in one sweep once enough slots are dead,
 * so a write costs O(its trigrams), not O(the sneks that share one).
 */
export class TrigramPostings {
  private readonly grams = new Map<string, Posting>();

  add(slot: number, nameGrams: ReadonlySet<string>, idGrams: ReadonlySet<string>): void {
    for (const gram of nameGrams) this.push(gram, slot * 4 + (idGrams.has(gram) ? IN_NAME | IN_ID : IN_NAME));
    for (const gram of idGrams) if (!nameGrams.has(gram)) this.push(gram, slot * 4 + IN_ID);
  }

  get(gram: string): Posting | undefined {
    return this.grams.get(gram);
  }

  /** Drops every value whose slot is `dead`, and trigrams no slot holds any more. */
  purge(dead: (slot: number) => boolean): void {
    for (const [gram, posting] of this.grams) {
      let kept = 0;
      for (let i = 0; i < posting.length; i++) {
        const value = posting.values[i]!;
        if (!dead(value >>> 2)) posting.values[kept++] = value;
      }
      posting.length = kept;
      if (kept === 0) this.grams.delete(gram);
      else if (kept < posting.values.length / 4) posting.values = posting.values.slice(0, kept * 2);
    }
  }

  private push(gram: string, value: number): void {
    let posting = this.grams.get(gram);
    if (!posting) this.grams.set(gram, (posting = { values: new Int32Array(4), length: 0 }));
    else if (posting.length === posting.values.length) {
      const grown = new Int32Array(posting.values.length * 2);
      grown.set(posting.values);
      posting.values = grown;
    }
    posting.values[posting.length++] = value;
  }
}

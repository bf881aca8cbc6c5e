// One LevelDB holds the sneks and two indexes; keys sort bytewise, so each range is in id order.
// "\u0000" cannot occur in a name or type (control characters are refused), so it separates safely.
const SEP = '\u0000';

export const snekKey = (id: string) => `s!${id}`;
export const nameKey = (name: string, id: string) => `n!${name}${SEP}${id}`;
export const typeKey = (type: string, id: string) => `t!${type}${SEP}${id}`;

/** The key range of one index bucket (or of all sneks), starting after `afterId`. */
export function range(prefix: string, afterId: string | undefined): { gt: string; lt: string } {
  // "\uffff" sorts after every id character, closing the range.
  return { gt: afterId === undefined ? prefix : prefix + afterId, lt: `${prefix}\uffff` };
}

export const bucketPrefix = {
  all: 's!',
  name: (name: string) => `n!${name}${SEP}`,
  type: (type: string) => `t!${type}${SEP}`,
};

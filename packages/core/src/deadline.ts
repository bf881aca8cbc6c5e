/**
 * `work`, or the error of `onTimeout` once `deadline` (ms since the epoch) passes. The timer is what keeps the event loop
 * alive meanwhile: a plugin whose top-level await never settles would otherwise let Node exit 13 without a word.
 */
export async function beforeDeadline<T>(work: () => Promise<T> | T, deadline: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Seconds as a message shows them: 1, 0.5, 0.05. */
export function secondsOf(ms: number): string {
  return String(ms / 1000);
}

import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

/** A small tmpfs at `dir`, to make a real disk full or read-only. Needs root, as CI and this machine have. */
export async function mountTmpfs(dir: string, size: string): Promise<{ readOnly(on: boolean): void; unmount(): void }> {
  if (process.getuid?.() !== 0) throw new Error('The fault tests mount a tmpfs and must run as root (CI does).');
  await mkdir(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  let mounted = true;
  return {
    readOnly: (on) => execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir]),
    unmount: () => {
      if (mounted) execFileSync('umount', ['-l', dir]);
      mounted = false;
    },
  };
}

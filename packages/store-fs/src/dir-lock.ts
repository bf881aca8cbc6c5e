import { existsSync } from 'node:fs';
import { link, lstat, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { SnekError } from '@snek/core';

export const LOCK_FILE = '.snek-store.lock';
// A Unix socket path holds 108 bytes on Linux and 104 on macOS, and libuv silently cuts a longer one short.
const SOCKET_PATH_MAX = 103;
// A holder that accepts but does not say its pid within this long is still a holder.
const PROBE_TIMEOUT_MS = 1_000;

type Holder = { alive: false } | { alive: true; pid: number | undefined };

/**
 * One server per folder: a second process (or a second store in this one) gets STORE_LOCKED.
 * The lock is a Unix socket in the folder that the holder listens on. The kernel closes it when the holder dies,
 * kill -9 included and before its parent reaps it, so a refused connection means a dead holder, whose lock is
 * taken over. No pid is judged: a pid means nothing across containers, where every server may be PID 1.
 */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  const place = await socketPlace(dir, file);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = await listenAt(place.at(LOCK_FILE));
      if (server) {
        return async () => {
          // Closing unlinks the socket (libuv does), so the dir handle must outlive it.
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await place.close();
        };
      }
      const holder = await holderOf(place.at(LOCK_FILE));
      if (holder.alive) {
        const who = holder.pid === undefined ? 'another process' : `process ${holder.pid}${holder.pid === process.pid ? ' (this one)' : ''}`;
        throw new SnekError('STORE_LOCKED', `The fs store folder ${dir} is in use by ${who}. Stop that server or give this one another dir.`, {
          details: { dir, pid: holder.pid },
        });
      }
      await removeStale(place);
    }
  } catch (error) {
    await place.close();
    throw error;
  }
  await place.close();
  throw new SnekError('STORE_LOCKED', `Could not lock the fs store folder ${dir}: another process keeps taking ${file}. Stop the other server.`);
}

interface SocketPlace {
  /** The path of `name` in the folder, short enough for a socket. */
  at(name: string): string;
  close(): Promise<void>;
}

/** The folder itself, or, when its path is too long for a socket, the folder through an open handle in /proc. */
async function socketPlace(dir: string, file: string): Promise<SocketPlace> {
  if (Buffer.byteLength(file) <= SOCKET_PATH_MAX) return { at: (name) => path.join(dir, name), close: async () => undefined };
  if (!existsSync('/proc/self/fd')) {
    throw new SnekError('STORE_OPTIONS_INVALID', `The fs store folder ${dir} has a path too long for its lock, a Unix socket (at most ${SOCKET_PATH_MAX - LOCK_FILE.length - 1} bytes). Give the store a shorter dir.`);
  }
  const handle: FileHandle = await open(dir, 'r');
  return { at: (name) => `/proc/self/fd/${handle.fd}/${name}`, close: () => handle.close() };
}

/** A listening server that tells each caller this pid, or undefined when the path is taken. */
function listenAt(socketPath: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.on('error', () => undefined).end(`${process.pid}\n`));
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen(socketPath, () => {
      // The lock must not keep a server that is otherwise done from exiting.
      server.unref();
      resolve(server);
    });
  });
}

/** Whether someone listens on the lock, and the pid it gives. A lock file of a Snek older than the socket holds a pid. */
async function holderOf(socketPath: string): Promise<Holder> {
  const stats = await lstat(socketPath).catch(() => undefined);
  if (!stats) return { alive: false };
  if (stats.isFile()) return pidFileHolder(socketPath);
  return new Promise((resolve) => {
    let said = '';
    let connected = false;
    const socket = net.connect(socketPath);
    let dead = false;
    const done = () => {
      socket.destroy();
      const pid = Number.parseInt(said, 10);
      resolve(dead && !connected ? { alive: false } : { alive: true, pid: Number.isInteger(pid) ? pid : undefined });
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, done);
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: Buffer) => (said += chunk.toString()));
    socket.on('end', done);
    // Only a refused connection proves the holder gone: EACCES (another user's socket), EAGAIN (a full backlog)
    // or a timeout mean someone may still hold it.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      dead = error.code === 'ECONNREFUSED' || error.code === 'ENOENT';
      done();
    });
  });
}

async function pidFileHolder(file: string): Promise<Holder> {
  const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return { alive: false };
  try {
    process.kill(pid, 0);
    return { alive: true, pid };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { alive: true, pid } : { alive: false };
  }
}

/**
 * Deletes a dead holder's lock. Another server may have taken the lock over since we looked, so the lock is
 * first moved aside, where no one else looks, and asked again: a live one is put back.
 */
async function removeStale(place: SocketPlace): Promise<void> {
  const aside = `${LOCK_FILE}.${process.pid}.${Date.now()}.stale`;
  try {
    await rename(place.at(LOCK_FILE), place.at(aside));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    // A live one goes back; if a third server took the name meanwhile, this one must not start as well.
    if ((await holderOf(place.at(aside))).alive) await link(place.at(aside), place.at(LOCK_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new SnekError('STORE_LOCKED', `The fs store folder ${path.dirname(place.at(LOCK_FILE))} is being taken over by two other servers at once. Stop them, and start one.`);
  } finally {
    await unlink(place.at(aside)).catch(() => undefined);
  }
}

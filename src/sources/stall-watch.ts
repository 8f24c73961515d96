// A server that stops answering. TCP keep-alive finds a peer that is gone, not one that is there
// but silent (a proxy or load balancer that stopped forwarding, a frozen server): the read waits
// forever. The watch notes when we sent the server something and when it last answered; once a
// request has waited longer than the stall timeout with nothing received, the socket is
// destroyed with a STALLED error, which the driver hands to the query that was waiting.
// Between requests (a cursor paused while the target writes) nothing is awaited, so no timeout.
import type { Socket } from 'node:net';

export const STALLED = 'FLARELIFT_STALLED';
export const STALL_TIMEOUT_ENV = 'FLARELIFT_STALL_TIMEOUT';
const DEFAULT_STALL_SECONDS = 300; // a long sort sends nothing for minutes; a dead proxy, forever

let configuredMs: number | undefined;

/** Seconds a query may wait with nothing received (CLI --stall-timeout; env FLARELIFT_STALL_TIMEOUT). */
export function setStallTimeout(seconds: number | undefined): void {
  configuredMs = seconds === undefined ? undefined : seconds * 1000;
}

export function stallTimeoutMs(): number {
  if (configuredMs !== undefined) return configuredMs;
  const env = Number(process.env[STALL_TIMEOUT_ENV]);
  return (Number.isFinite(env) && env > 0 ? env : DEFAULT_STALL_SECONDS) * 1000;
}

export class StallError extends Error {
  readonly code = STALLED;
  constructor(readonly seconds: number) {
    super(`nothing received for ${seconds}s while a query was running`);
  }
}

const watched = new WeakSet<object>();

/**
 * Watches a driver's socket (once per socket; the timer does not keep the process alive).
 * `waiting` says whether a query is waiting on the server right now (not a paused stream, not an
 * idle cursor); the clock runs only while it is, and restarts with every byte received.
 */
export function watchSocket(socket: Socket | undefined, waiting: () => boolean): void {
  if (!socket || watched.has(socket)) return;
  watched.add(socket);
  const ms = stallTimeoutMs();
  let progress = Date.now();
  socket.on('data', () => (progress = Date.now()));
  const timer = setInterval(() => {
    const now = Date.now();
    if (!waiting() || socket.isPaused()) progress = now;
    else if (now - progress > ms) {
      clearInterval(timer);
      socket.destroy(new StallError(Math.round(ms / 1000)));
    }
  }, Math.min(1000, Math.max(50, ms / 4)));
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}

/**
 * Waits for a graceful end (a pool's or a connection's), but not on a silent server: ending
 * waits for the server to close its side, which a stalled one never does. After the bound the
 * sockets are destroyed and the wait stops.
 */
export async function endWithin(ending: Promise<unknown>, destroy: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      destroy();
      resolve();
    }, Math.min(stallTimeoutMs(), 10_000));
  });
  await Promise.race([ending.then(() => undefined, () => undefined), bound]);
  clearTimeout(timer);
}

/**
 * Ends connections and waits for their sockets to close. Drivers resolve their end() once the
 * goodbye is written, while the socket stays open until the server closes its side — which a
 * stalled server never does: after the bound the sockets are destroyed.
 */
export async function endAndClose(ending: Promise<unknown>, sockets: readonly Socket[]): Promise<void> {
  const closed = Promise.all(sockets.map((s) => (s.destroyed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
  await endWithin(
    ending.catch(() => undefined).then(() => closed),
    () => sockets.forEach((s) => s.destroy()),
  );
}

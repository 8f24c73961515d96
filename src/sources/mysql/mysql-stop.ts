// Stopping a streaming SELECT whose consumer went away, without closing its connection (a
// snapshot reader must keep its transaction). mysql2 keeps reading and discarding the rest of
// the rows once the stream is destroyed; KILL QUERY from a second connection makes the server
// end the statement now instead of sending the whole remainder. The transaction survives it.
import type { Pool } from 'mysql2/promise';
import { acquire, type CoreConnection, type CoreQuery } from './mysql-connection.js';
import { queryEnded } from './mysql-reader.js';

/** How long the remainder may take to end after KILL QUERY before the connection is given up. */
const STOP_TIMEOUT_MS = 30_000;

/** True when the connection is idle again and can be reused; false when it must be destroyed. */
export async function stopQuery(pool: Pool, core: CoreConnection, query: CoreQuery): Promise<boolean> {
  // Listen first: 'end' may come while the KILL is on its way.
  const ended = queryEnded(query, STOP_TIMEOUT_MS);
  // The stream paused the socket; the server only sees the KILL once it can write again.
  core.resume();
  if (core.threadId !== null) {
    try {
      const control = await acquire(pool);
      try {
        await control.query(`KILL QUERY ${Number(core.threadId)}`);
      } finally {
        control.release();
      }
    } catch {
      // Without the KILL the remaining rows are read and discarded: slower, same result.
    }
  }
  return ended;
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** The SQLite file fauxqs's PersistenceManager keeps in its data folder. */
const FAUXQS_DB_FILE = 'fauxqs.db';

/** S3 objects kept in a stopped fauxqs's data folder. */
export interface StoredObjects {
  /** The object's bytes, or undefined when there is none (nor a store: the folder was never used). */
  get(bucket: string, key: string): Buffer | undefined;
  close(): void;
}

/**
 * Reads the S3 objects fauxqs keeps in `dataDir` straight from its SQLite file, opened read-only, without starting
 * fauxqs: for the history and replay of a stopped runner. Starting it would load the queues too, and its start writes
 * to them (a message whose visibility timeout has passed is made visible again, in the file) and its timers go on
 * changing them: a reader of a stopped runner's history is not to touch the queues the runner restores at its next
 * start. SQLite refuses every write on this connection, and reads consistently beside a writer (WAL), should a runner
 * open the file meanwhile. The table and its columns are fauxqs's own (its `readBody`), pinned with its exact version.
 * An object is answered as stored: no expiry is applied here (fauxqs applies no lifecycle rule either; in AWS the
 * history bucket's rule removes a body a day after the history's retention), so whether a body is still wanted is
 * for its history record to say.
 */
export function readStoredObjects(dataDir: string): StoredObjects {
  const file = join(dataDir, FAUXQS_DB_FILE);
  let db: DatabaseSync | undefined;
  let select: StatementSync | undefined;
  return {
    get(bucket, key) {
      if (select === undefined) {
        if (!existsSync(file)) return undefined;
        // Loaded here: the rest of this module, and what imports it, loads on a Node.js without node:sqlite too.
        db = new (process.getBuiltinModule('node:sqlite').DatabaseSync)(file, { readOnly: true });
        select = db.prepare('SELECT body FROM s3_objects WHERE bucket = ? AND key = ?');
      }
      const row = select.get(bucket, key) as { body: Uint8Array } | undefined;
      return row === undefined ? undefined : Buffer.from(row.body);
    },
    close() {
      db?.close();
      db = undefined;
      select = undefined;
    },
  };
}

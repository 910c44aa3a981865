// The SQLite writer thread (plain JavaScript: a worker does not inherit the TypeScript loader).
// It receives the statements of one group commit and runs them in one IMMEDIATE transaction on
// its own connection, so SQLite's work happens beside the event loop rather than inside it.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { timeout: 5000 });
for (const pragma of workerData.pragmas) db.pragma(pragma);

const prepared = new Map();
function statement(sql) {
  let found = prepared.get(sql);
  if (!found) {
    if (prepared.size >= 512) prepared.clear();
    found = db.prepare(sql);
    prepared.set(sql, found);
  }
  return found;
}

const commit = db.transaction((statements) => {
  for (const [sql, parameters, expectChanges] of statements) {
    const { changes } = statement(sql).run(parameters);
    // A conditional write (a wait decided only while pending) that found nothing to change undoes the transaction.
    if (expectChanges !== undefined && expectChanges !== null && changes !== expectChanges) {
      throw Object.assign(new Error(`expected ${expectChanges} changed row(s), got ${changes}`), { code: 'TRELLIS_NOT_PENDING' });
    }
  }
});

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort.postMessage({ id: message.id, ok: true });
    return;
  }
  try {
    commit.immediate(message.statements);
    parentPort.postMessage({ id: message.id, ok: true });
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, error: { message: String(error?.message ?? error), code: error?.code } });
  }
});

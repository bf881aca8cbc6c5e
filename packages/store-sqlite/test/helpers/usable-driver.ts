import { openConnection, type SqliteDriverName } from '../../src/driver.js';

/** Whether `driver` opens a database on this Node: node:sqlite on 22.13+, better-sqlite3 where it is built for this Node. */
export async function usable(driver: SqliteDriverName): Promise<boolean> {
  try {
    (await openConnection(':memory:', driver)).close();
    return true;
  } catch {
    return false;
  }
}

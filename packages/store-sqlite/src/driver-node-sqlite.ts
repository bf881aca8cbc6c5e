import type { OpenOptions, SqliteConnection, SqliteStatement } from './driver.js';

// The part of node:sqlite the store uses; @types/node 20 (our oldest Node) does not declare the module.
interface NodeSqliteModule {
  DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => {
    prepare(sql: string): SqliteStatement;
    exec(sql: string): void;
    close(): void;
  };
}

/** node:sqlite when this Node has it without a flag (22.13+), else undefined. */
export function nodeSqlite(): NodeSqliteModule | undefined {
  return process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined;
}

export function openNodeSqlite(file: string, options: OpenOptions): SqliteConnection {
  const db = new (nodeSqlite()!.DatabaseSync)(file, { readOnly: options.readonly ?? false });
  return {
    driver: 'node:sqlite',
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
}

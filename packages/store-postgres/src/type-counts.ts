/**
 * Type counts kept by triggers on `sneks`, in each write's own transaction, whatever the path (put, batches, bulk,
 * conditional writes, replay). Each statement that writes sneks *appends* one row per type it changed, (type, +n or
 * -n): appends never wait on one another, so writers share no hot counter row, and take no lock that could close a
 * cycle with the change counter's (putMany's batches write before they take it, single writes after). A read sums
 * the rows per type; compact() folds them back to one row per type, so a read stays O(types). The triggers are
 * statement-level with transition tables: a batch of 5000 rows costs one small aggregate.
 */
export function countsSchema(s: string): string {
  const fn = (name: string, body: string) => `CREATE FUNCTION ${s}.${name}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $snek$
    BEGIN ${body}; RETURN NULL; END $snek$;`;
  return `CREATE TABLE ${s}.type_counts (type TEXT COLLATE "C" NOT NULL, n BIGINT NOT NULL);
    ${fn('count_inserted', `INSERT INTO ${s}.type_counts (type, n) SELECT type, count(*) FROM new_rows GROUP BY type`)}
    ${fn('count_updated', `INSERT INTO ${s}.type_counts (type, n) SELECT type, sum(d) FROM (SELECT type, 1 AS d FROM new_rows UNION ALL SELECT type, -1 FROM old_rows) t GROUP BY type HAVING sum(d) <> 0`)}
    ${fn('count_deleted', `INSERT INTO ${s}.type_counts (type, n) SELECT type, -count(*) FROM old_rows GROUP BY type`)}
    CREATE TRIGGER count_inserted AFTER INSERT ON ${s}.sneks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_inserted();
    CREATE TRIGGER count_updated AFTER UPDATE ON ${s}.sneks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_updated();
    CREATE TRIGGER count_deleted AFTER DELETE ON ${s}.sneks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.count_deleted();
    INSERT INTO ${s}.type_counts (type, n) SELECT type, count(*) FROM ${s}.sneks GROUP BY type;`;
}

/** Compact when a read meets more rows than this beyond one per type. */
export const COMPACT_SLACK = 64;

export function countStatements(s: string) {
  return {
    // `rows`: how many appended rows each sum read, to know when to compact.
    read: `SELECT type, sum(n)::bigint AS count, count(*)::int AS rows FROM ${s}.type_counts GROUP BY type`,
    // One statement: the rows it deletes are those its snapshot sees, and their sums go back in. Appends committed
    // meanwhile are not deleted; a second compaction waits for this one, then skips the rows it deleted.
    compact: `WITH gone AS (DELETE FROM ${s}.type_counts RETURNING type, n)
      INSERT INTO ${s}.type_counts (type, n) SELECT type, sum(n) FROM gone GROUP BY type HAVING sum(n) <> 0`,
  };
}

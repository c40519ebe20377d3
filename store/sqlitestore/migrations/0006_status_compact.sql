-- vip schema, version 6: smaller status rows. The checked column goes (nothing read
-- it: the instant is in the body), and due_at becomes an INTEGER, the instant in Unix
-- microseconds (UTC), instead of 27 bytes of text; NULL still means nothing scheduled.
-- A commit binds two values fewer per status, and a row is about 50 bytes shorter, so a
-- commit touches fewer pages. Every row is copied; a due_at that does not read as an
-- instant of years 0000-9999 (none is written so) becomes NULL with an unknown
-- schedule (due_key ''), so that the next review looks at the customer.
CREATE TABLE vip_statuses_new (
    ladder      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    tier        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        BLOB NOT NULL,  -- the status, binary (JSON before version 3)
    due_at      INTEGER,        -- Unix microseconds
    due_key     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, ladder)
) WITHOUT ROWID;
INSERT INTO vip_statuses_new (ladder, customer_id, tier, version, body, due_at, due_key)
    SELECT ladder, customer_id, tier, version, body, micros,
        CASE WHEN due_at IS NOT NULL AND micros IS NULL THEN '' ELSE due_key END
    FROM (SELECT *, unixepoch(substr(due_at, 1, 19)) * 1000000 + CAST(substr(due_at, 21, 6) AS INTEGER) AS micros
        FROM vip_statuses);
DROP TABLE vip_statuses;
ALTER TABLE vip_statuses_new RENAME TO vip_statuses;
CREATE INDEX vip_statuses_ladder ON vip_statuses (ladder);

-- vip schema, version 5: statuses keyed by (customer_id, ladder) instead of (ladder,
-- customer_id), and events indexed by (customer_id, ladder, seq) instead of (ladder,
-- customer_id, seq). The first column of a key is what SQLite compares first and
-- fastest; one ladder runs on most stores, so every comparison of the old keys found
-- the ladders equal and went on to the customer through the slower general
-- comparison. The ladder index replaces the customer index (the key's first column
-- now), for the probes of other ladders' statuses. Every row is copied as it is.
CREATE TABLE vip_statuses_new (
    ladder      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    tier        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    checked     TEXT NOT NULL,
    body        TEXT NOT NULL,  -- the status, binary (JSON before version 3)
    due_at      TEXT,
    due_key     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id, ladder)
) WITHOUT ROWID;
INSERT INTO vip_statuses_new (ladder, customer_id, tier, version, checked, body, due_at, due_key)
    SELECT ladder, customer_id, tier, version, checked, body, due_at, due_key FROM vip_statuses;
DROP TABLE vip_statuses;
ALTER TABLE vip_statuses_new RENAME TO vip_statuses;
CREATE INDEX vip_statuses_ladder ON vip_statuses (ladder);

DROP INDEX vip_events_customer;
CREATE INDEX vip_events_customer ON vip_events (customer_id, ladder, seq);

-- vip schema, version 1. Instants are TEXT in UTC with six fractional digits
-- (2006-01-02T15:04:05.000000Z), so that text order is time order. Money is TEXT: a
-- NUMERIC column would come back as a float64.
CREATE TABLE vip_customers (
    id   TEXT PRIMARY KEY,
    hash INTEGER NOT NULL,  -- vip.CustomerHash(id), for shards
    body TEXT NOT NULL      -- the customer as JSON
) WITHOUT ROWID;

CREATE TABLE vip_orders (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    placed_at   TEXT NOT NULL,
    currency    TEXT NOT NULL,
    paid        TEXT NOT NULL,  -- sum of the lines' paid values
    fp          BLOB NOT NULL,  -- content fingerprint, for idempotent writes
    body        BLOB NOT NULL   -- the order in the codec's binary form, amounts with every digit
);
CREATE INDEX vip_orders_customer ON vip_orders (customer_id, placed_at);

CREATE TABLE vip_refunds (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES vip_orders (id),
    customer_id TEXT NOT NULL,
    at          TEXT NOT NULL,
    currency    TEXT NOT NULL,
    amount      TEXT NOT NULL,
    fp          BLOB NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX vip_refunds_customer ON vip_refunds (customer_id, at);

CREATE TABLE vip_statuses (
    ladder      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    tier        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    checked     TEXT NOT NULL,
    body        TEXT NOT NULL,  -- the status as JSON (its version is the column)
    PRIMARY KEY (ladder, customer_id)
) WITHOUT ROWID;

CREATE TABLE vip_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    ladder      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX vip_events_customer ON vip_events (ladder, customer_id, seq);

CREATE TABLE vip_cursors (
    consumer TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL
) WITHOUT ROWID;

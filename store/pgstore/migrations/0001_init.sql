-- vip schema, version 1; run with search_path set to the store's schema. IDs sort
-- in byte order (COLLATE "C"), money is NUMERIC, instants timestamptz (microseconds).
CREATE TABLE vip_customers (
    id   text COLLATE "C" PRIMARY KEY,
    hash bigint NOT NULL,  -- vip.CustomerHash(id), for shards
    body json NOT NULL
);

CREATE TABLE vip_orders (
    id          text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL,
    placed_at   timestamptz NOT NULL,
    currency    text NOT NULL,
    paid        numeric NOT NULL,  -- sum of the lines' paid values
    fp          bytea NOT NULL,    -- content fingerprint, for idempotent writes
    body        bytea NOT NULL    -- the order in the codec's binary form, amounts with every digit
);
CREATE INDEX vip_orders_customer ON vip_orders (customer_id, placed_at);

CREATE TABLE vip_refunds (
    id          text COLLATE "C" PRIMARY KEY,
    order_id    text COLLATE "C" NOT NULL REFERENCES vip_orders (id),
    customer_id text COLLATE "C" NOT NULL,
    at          timestamptz NOT NULL,
    currency    text NOT NULL,
    amount      numeric NOT NULL,
    fp          bytea NOT NULL,
    body        json NOT NULL
);
CREATE INDEX vip_refunds_customer ON vip_refunds (customer_id, at);

CREATE TABLE vip_statuses (
    ladder      text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    tier        text NOT NULL,
    version     bigint NOT NULL,
    checked     timestamptz,
    body        json NOT NULL,
    PRIMARY KEY (ladder, customer_id)
);

-- Events get their sequence numbers from vip_seq, whose one row is locked until the
-- writing transaction commits: numbers are handed out in commit order, without gaps
-- that a slower transaction could fill later.
CREATE TABLE vip_seq (
    id  int PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
);
INSERT INTO vip_seq VALUES (1, 0);

CREATE TABLE vip_events (
    seq         bigint PRIMARY KEY,
    ladder      text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    source      text NOT NULL,
    body        json NOT NULL
);
CREATE INDEX vip_events_customer ON vip_events (ladder, customer_id, seq);

CREATE TABLE vip_cursors (
    consumer text COLLATE "C" PRIMARY KEY,
    seq      bigint NOT NULL
);

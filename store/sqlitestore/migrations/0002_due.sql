-- vip schema, version 2: each status's review schedule. due_at is the first instant at
-- which a review could change the status (NULL: nothing scheduled), in the layout of
-- the other instants; due_key the key of the ladder configuration that computed it
-- ('': unknown, due at every review). Statuses stored before this version have an
-- unknown schedule.
ALTER TABLE vip_statuses ADD COLUMN due_at TEXT;
ALTER TABLE vip_statuses ADD COLUMN due_key TEXT NOT NULL DEFAULT '';

-- A change that stores a customer's record, orders or refunds makes the schedules of the
-- customer's other statuses (other ladders) unknown: found by customer.
CREATE INDEX vip_statuses_customer ON vip_statuses (customer_id);

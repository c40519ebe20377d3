-- vip schema, version 2: each status's review schedule, and a function that fails the
-- statement calling it, so that a commit's checks run in the same round trip as its
-- writes.
--
-- due_at is the first instant at which a review could change the status (NULL: nothing
-- scheduled); due_key the key of the ladder configuration that computed it ('': unknown,
-- due at every review). Statuses stored before this version have an unknown schedule.
ALTER TABLE vip_statuses ADD COLUMN due_at timestamptz, ADD COLUMN due_key text NOT NULL DEFAULT '';

-- Every commit rewrites the statuses it touches: room on each page lets an update stay
-- on its page without new index entries (no indexed column changes).
ALTER TABLE vip_statuses SET (fillfactor = 70);

-- A change that stores a customer's record, orders or refunds makes the schedules of the
-- customer's other statuses (other ladders) unknown: found by customer.
CREATE INDEX vip_statuses_customer ON vip_statuses (customer_id);

-- vip_fail raises an error with the SQLSTATE code and the message: VPCNF for a conflict
-- (an ID stored with other content), VPSTL for a stale status version.
CREATE FUNCTION vip_fail(code text, msg text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg;
END
$$;

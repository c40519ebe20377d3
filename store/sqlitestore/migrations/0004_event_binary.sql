-- vip schema, version 4: event bodies in the codec's compact binary form, a BLOB in
-- the body column, as migration 3 did for statuses. JSON bodies stored before stay,
-- and still read: a binary body starts with its version byte, 1, a JSON one with '{'.
-- Nothing in the schema changes; a binary from before, which cannot read binary
-- bodies, refuses a file at version 4 instead of failing on the first event it reads.
SELECT 1;

-- vip schema, version 3: status bodies in the codec's compact binary form, a BLOB in
-- the body column (SQLite keeps a BLOB as it is, whatever the column's declared type).
-- JSON bodies stored before stay, and still read: a binary body starts with its version
-- byte, 1, a JSON one with '{'. Nothing in the schema changes; the version is what
-- matters: a binary from before, which cannot read binary bodies, refuses a file at
-- version 3 instead of failing on the first status it loads.
SELECT 1;

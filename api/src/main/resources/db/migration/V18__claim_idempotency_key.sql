-- A claim remembers the Idempotency-Key it was submitted with, so that a retry whose first
-- attempt committed but was never acknowledged (the server or the database went away between
-- the commit and the idempotency record) finds that claim instead of making a second one.
alter table claim add column idempotency_key text;

create unique index claim_idempotency_key on claim (submitted_by, idempotency_key)
    where idempotency_key is not null;

-- A transaction may be filed under a catalog category (孝, 善, …) for per-category boards
-- (善行义举榜). Part of the transaction's hash when present.
alter table journal_transaction add column category text;

-- A board of a month, quarter or year is rebuilt from the transactions of that period only
-- (BoardsRepository.snapshot): found by village and time instead of reading the whole journal
-- of a town or county, which took about 10 s a board over 150,000 households and held up the
-- relay at every new period.
create index journal_transaction_village_time_idx on journal_transaction (village_id, occurred_at);

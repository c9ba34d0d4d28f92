-- Balances and history are read by owner; without these a county of 150,000 households scans
-- every account on each read.
create index account_household_idx on account (household_id) where household_id is not null;
create index account_member_idx on account (member_id) where member_id is not null;

-- Whose account paid a redemption: the household's, or the member's for an offer paid in a
-- member-owned kind (爱心存折). Release and refund go back to the same account.
alter table redemption add column paid_by text not null default 'HOUSEHOLD'
    check (paid_by in ('HOUSEHOLD', 'MEMBER'));

-- The till's list of a merchant's redemptions, newest first, all or of one status.
create index redemption_merchant_idx on redemption (merchant_id, id);
create index redemption_merchant_status_idx on redemption (merchant_id, status, id);

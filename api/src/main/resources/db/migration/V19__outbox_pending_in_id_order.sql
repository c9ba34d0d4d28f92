-- The relay leases pending events in id order and stops at its batch size: an index of the
-- pending events by id lets it stop there instead of sorting every pending event. The index
-- by ordering key served a per-event look-up of earlier events that made a backlog of n events
-- cost n² to lease; the relay now finds each key's first held-back event once per round.
drop index outbox_event_pending_idx;
create index outbox_event_pending_idx on outbox_event (id) where status = 'PENDING';

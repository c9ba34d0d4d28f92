-- The relay leases pending events in id order and stops at its batch size: an index of the
-- pending events by id lets it stop there instead of sorting every pending event. The index
-- by ordering key served a per-event look-up of earlier events that made a backlog of n events
-- cost n² to lease; the relay now finds each key's first held-back event once per round.
-- Built and dropped concurrently (Flyway runs these outside a transaction): the outbox keeps
-- every event ever posted, and a plain build would stop every posting while it scans them.
create index concurrently if not exists outbox_event_pending_id_idx on outbox_event (id) where status = 'PENDING';
drop index concurrently if exists outbox_event_pending_idx;

-- Retention (docs/reliability.md): old processed-event ids and old published or given-up outbox rows
-- are deleted in batches; these indexes find them without scanning the tables.

create index processed_events_age on processed_events (processed_at);
create index outbox_published_age on outbox (published_at) where published_at is not null;
create index outbox_given_up_age on outbox (given_up_at) where given_up_at is not null;

-- Backpressure: the jobs in flight (QUEUED or RUNNING) per kind and tenant are counted at every submit.
create index jobs_active on jobs (kind, tenant) where status in ('QUEUED', 'RUNNING');

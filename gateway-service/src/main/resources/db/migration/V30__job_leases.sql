-- Leases (docs/gateway.md, "Leases and recovery"): a QUEUED or RUNNING job is believed alive until
-- lease_until, which every event and heartbeat of its stage pushes forward; the reaper dispatches a
-- job whose lease expired again (counting jobs.attempts) or fails it after the last attempt.
alter table jobs add column lease_until timestamptz;

-- Jobs accepted before leases existed get the default queued lease (10 minutes) from now.
update jobs set lease_until = now() + interval '10 minutes' where status in ('QUEUED', 'RUNNING');

-- The reaper's look-up: only unfinished jobs, oldest lease first.
create index jobs_lease_expiry on jobs (lease_until) where status in ('QUEUED', 'RUNNING');

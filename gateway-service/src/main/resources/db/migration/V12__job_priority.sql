-- Batch work yields to interactive work (docs/batch.md, Priority): a job remembers its priority so a
-- job dispatched again after a lost worker keeps it, and the batch jobs in flight per kind are counted
-- at every batch submit (they may hold only part of the suite's capacity).

alter table jobs add column priority varchar(16) not null default 'INTERACTIVE'
    constraint jobs_priority_known check (priority in ('INTERACTIVE', 'BATCH'));

create index jobs_active_batch on jobs (kind) where priority = 'BATCH' and status in ('QUEUED', 'RUNNING');

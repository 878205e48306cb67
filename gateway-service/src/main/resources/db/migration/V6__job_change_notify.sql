-- Push for event streams (docs/gateway.md, "Watching"): every change of a job that watchers see
-- (its version goes up) sends NOTIFY ovis_job_changes with the job id, delivered at commit to every
-- gateway instance that LISTENs (JobNotifications), which re-reads the row for its local watchers.
-- A trigger rather than a call in each writer: the reaper, the outbox's give-up and batch code
-- change jobs too, and none of them can forget it. Lease renewals and heartbeats do not bump the
-- version, so they notify nobody. NOTIFY folds identical payloads of one transaction into one.
create function notify_job_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('ovis_job_changes', new.id);
    return null;
end;
$$;

create trigger jobs_changed_notify
    after update on jobs
    for each row
    when (new.version is distinct from old.version)
    execute function notify_job_changed();

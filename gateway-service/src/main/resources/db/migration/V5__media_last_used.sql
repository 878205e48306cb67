-- When a media item was last uploaded or named in a request: media unused for
-- ovis.gateway.retention.media are deleted (row and object) by MediaRetention.
alter table media add column last_used_at timestamptz not null default now();
create index media_last_used on media (last_used_at);

-- Files expire as OpenAI's do (docs/batch.md, Expiry): an upload's expires_after (batch inputs: 30 days
-- unless the client says otherwise) and a batch's output_expires_after set files.expires_at; an expired
-- file is gone for its tenant at once and its bytes and row are purged by the gateway's file purge.

alter table files add column expires_at timestamptz;

create index files_expiring on files (expires_at) where expires_at is not null;

alter table batches add column output_expires_after integer
    constraint batches_output_expiry_range check (output_expires_after between 3600 and 2592000);

-- The outbox keeps the exact bytes the relay sends: the envelope as the Kafka serializer wrote it
-- (docs/gateway.md, "Outbox"), sent as stored. jsonb rewrote them (key order, spacing) and refused
-- \u0000, so the relay had to parse each row back and serialize it again. A row written before this
-- change keeps jsonb's text of its envelope, which reads back as the same envelope, and is sent as is.
alter table outbox alter column envelope type bytea using convert_to(envelope::text, 'UTF8');

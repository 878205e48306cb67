-- W3C trace context of the request that wrote the row: the relay publishes in a span continuing
-- that trace, so one request is one trace across the gateway, Kafka and the stages.
alter table outbox add column traceparent text;

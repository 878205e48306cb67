package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.envelope.Envelope;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.MessageListener;

/** Consumes this instance's stream topic and hands each chunk to {@link JobService#chunks} subscribers. */
class StreamChunksListener implements MessageListener<String, Envelope<StreamChunk>> {

    private final JobService jobs;

    StreamChunksListener(JobService jobs) {
        this.jobs = jobs;
    }

    @Override
    public void onMessage(ConsumerRecord<String, Envelope<StreamChunk>> record) {
        jobs.deliver(record.value().data());
    }
}

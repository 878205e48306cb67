package dev.ovis.serve.support.stage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The envelope ids of the stage requests this instance has seen to an end (outcome published), the
 * newest {@code capacity} of them: a request delivered again with the same id (an outbox row
 * published twice, a Kafka redelivery) is skipped instead of run a second time. Per instance: a
 * duplicate another instance takes is caught by the gateway's "finished" announcement instead
 * ({@link JobsNotToRun.Reason#FINISHED}).
 */
final class FinishedRequests {

    private final Map<String, Boolean> ids;

    FinishedRequests(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(String envelopeId) {
        ids.put(envelopeId, Boolean.TRUE);
    }

    synchronized boolean contains(String envelopeId) {
        return ids.containsKey(envelopeId);
    }
}

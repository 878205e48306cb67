package dev.ovis.serve.gateway.batch;

import java.util.Locale;

/**
 * The OpenAI batch statuses, written lowercase on the wire and in the {@code batches} table.
 *
 * <pre>
 * validating ──▶ in_progress ──▶ finalizing ──▶ completed | expired
 *     │               │
 *     ├─▶ failed      └──▶ cancelling ──▶ cancelled      (cancel)
 *     └─▶ cancelling / expired
 * </pre>
 */
enum BatchStatus {
    VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static BatchStatus of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    /** Whether the runner still has work to do on a batch in this status. */
    boolean active() {
        return this == VALIDATING || this == IN_PROGRESS || this == FINALIZING || this == CANCELLING;
    }

    /** Whether a cancel request is accepted (OpenAI: while validating or in progress; repeated: no-op). */
    boolean cancellable() {
        return this == VALIDATING || this == IN_PROGRESS;
    }
}

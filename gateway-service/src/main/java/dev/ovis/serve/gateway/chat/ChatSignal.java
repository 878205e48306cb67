package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.job.Failure;

/** What a running chat job tells the request waiting for it. */
sealed interface ChatSignal {

    /** Whether nothing follows this signal. */
    boolean terminal();

    /** Streamed output from the llm stage; the last one carries finish reason and usage. */
    record Piece(StreamChunk chunk) implements ChatSignal {
        @Override
        public boolean terminal() {
            return chunk.last();
        }
    }

    /** The job failed or was cancelled, at any stage. */
    record Failed(Failure failure) implements ChatSignal {
        @Override
        public boolean terminal() {
            return true;
        }
    }
}

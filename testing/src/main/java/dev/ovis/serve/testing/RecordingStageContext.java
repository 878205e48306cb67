package dev.ovis.serve.testing;

import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.support.stage.StageContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link StageContext} for calling a {@code StageHandler} directly in a test: it records the
 * progress and the streamed chunks the handler reports, and answers {@link #cancelled()} as the
 * test sets it.
 */
public final class RecordingStageContext implements StageContext {

    /** One progress report. */
    public record Progress(double fraction, String message) {
    }

    private final String jobId;
    private final int attempt;
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final List<StreamChunk> chunks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    /** A first attempt of job {@code job-1}. */
    public RecordingStageContext() {
        this("job-1", 1);
    }

    public RecordingStageContext(String jobId, int attempt) {
        this.jobId = jobId;
        this.attempt = attempt;
    }

    @Override
    public String jobId() {
        return jobId;
    }

    @Override
    public void progress(double fraction, String message) {
        progress.add(new Progress(fraction, message));
    }

    @Override
    public void stream(StreamChunk chunk) {
        chunks.add(chunk);
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    /** From now on the job reads as cancelled. */
    public RecordingStageContext cancel() {
        cancelled = true;
        return this;
    }

    /** The progress reports so far, in order. */
    public List<Progress> progress() {
        return List.copyOf(progress);
    }

    /** The fractions of the progress reports so far, in order. */
    public List<Double> fractions() {
        return progress.stream().map(Progress::fraction).toList();
    }

    /** The messages of the progress reports so far, in order. */
    public List<String> messages() {
        return progress.stream().map(Progress::message).toList();
    }

    /** The chunks streamed so far, in order. */
    public List<StreamChunk> chunks() {
        return List.copyOf(chunks);
    }
}

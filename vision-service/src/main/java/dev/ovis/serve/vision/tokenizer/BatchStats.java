package dev.ovis.serve.vision.tokenizer;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the batches the vision model ran: how well batching fills them. */
public final class BatchStats {

    private final LongAdder batches = new LongAdder();
    private final LongAdder slices = new LongAdder();
    private final LongAdder crops = new LongAdder();

    void record(int sliceCount, int cropCount) {
        batches.increment();
        slices.add(sliceCount);
        crops.add(cropCount);
    }

    public long batches() {
        return batches.sum();
    }

    /** Request slices merged into batches (more than batches() means requests shared runs). */
    public long slices() {
        return slices.sum();
    }

    public long crops() {
        return crops.sum();
    }
}

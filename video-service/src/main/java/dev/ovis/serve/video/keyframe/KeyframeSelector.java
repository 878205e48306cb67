package dev.ovis.serve.video.keyframe;

/**
 * Chooses which candidate frames a model should look at.
 */
public interface KeyframeSelector {

    /**
     * Selects {@code count} frames.
     *
     * @param frames      one embedding per candidate frame, in temporal order
     * @param query       the question's embedding, or {@code null} for constant relevance (every
     *                    frame equally relevant: the choice then rests on coverage and diversity)
     * @param count       how many frames to keep, {@code >= 1}
     * @param segmentSize candidates per segment; {@code <= 0} means one segment
     * @return the selected candidate indices, ascending (temporal order); all of them when there are
     *         no more than {@code count} candidates
     */
    int[] select(double[][] frames, double[] query, int count, int segmentSize);
}

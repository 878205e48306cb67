package dev.ovis.serve.video.embed;

import dev.ovis.serve.video.decode.RgbFrame;
import java.util.List;

/**
 * Turns candidate frames (and the question) into vectors for MDP3's kernel. Frame vectors should be
 * unit length: the kernel's bandwidths (α from 1/8 to 2) are tuned for distances between unit vectors.
 */
public interface FrameEmbedder {

    /** A short name reported with every result, e.g. {@code siglip} or {@code descriptor}. */
    String name();

    /** One vector per frame, in the same order. */
    double[][] embedFrames(List<RgbFrame> frames) throws EmbeddingException;

    /**
     * The question's vector, or {@code null} when this embedder cannot relate text to frames (or the
     * question is blank): selection then uses constant relevance.
     */
    double[] embedQuery(String question) throws EmbeddingException;
}

package dev.ovis.serve.common;

/**
 * The Ovis2 input limits the suite enforces, each named once with its one check. The records of
 * {@code common} validate with the {@code require…} methods; the gateway reads client values
 * against the same bounds, so a value the gateway accepts is never refused further down.
 */
public final class OvisLimits {

    /** Fewest key frames a video part or a key-frame job may ask for. */
    public static final int MIN_FRAMES = 1;
    /** Most key frames a video part or a key-frame job may ask for (a deployment may allow fewer: {@code ovis.video.max-frames}). */
    public static final int MAX_FRAMES = 64;
    /** Fewest tiles an image may be cut into (Ovis2 {@code max_partition}; 1 = the whole image only). */
    public static final int MIN_PARTITION = 1;
    /** Most tiles an image may be cut into (Ovis2 {@code max_partition}). */
    public static final int MAX_PARTITION = 12;

    private OvisLimits() {
    }

    /**
     * Checks a requested number of key frames.
     *
     * @param frames the number asked for, or {@code null} for the service default
     * @return {@code frames}
     * @throws IllegalArgumentException when it is outside {@link #MIN_FRAMES}..{@link #MAX_FRAMES}
     */
    public static Integer requireFrames(Integer frames) {
        if (frames != null && (frames < MIN_FRAMES || frames > MAX_FRAMES)) {
            throw new IllegalArgumentException("frames must be in " + MIN_FRAMES + ".." + MAX_FRAMES + ": " + frames);
        }
        return frames;
    }

    /**
     * Checks an image's Ovis2 {@code max_partition}.
     *
     * @param maxPartition the tiles asked for, or {@code null} for the model default
     * @return {@code maxPartition}
     * @throws IllegalArgumentException when it is outside {@link #MIN_PARTITION}..{@link #MAX_PARTITION}
     */
    public static Integer requireMaxPartition(Integer maxPartition) {
        if (maxPartition != null && (maxPartition < MIN_PARTITION || maxPartition > MAX_PARTITION)) {
            throw new IllegalArgumentException("maxPartition must be in " + MIN_PARTITION + ".." + MAX_PARTITION + ": " + maxPartition);
        }
        return maxPartition;
    }
}

package dev.ovis.serve.video.decode;

/** Hears how a decode goes, and may stop it. All methods run on the decoding thread. */
public interface DecodeListener {

    /** The video was probed and accepted; {@code candidates} frames will be sampled. */
    default void probed(VideoInfo info, int candidates) {
    }

    /** {@code decoded} of {@code candidates} frames are in. */
    default void decoded(int decoded, int candidates) {
    }

    /** Whether to stop now (the job was cancelled). */
    default boolean cancelled() {
        return false;
    }

    DecodeListener NONE = new DecodeListener() {
    };
}

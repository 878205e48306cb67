package dev.ovis.serve.common.chat;

import dev.ovis.serve.common.OvisLimits;
import dev.ovis.serve.common.media.MediaRef;
import java.util.Objects;

/**
 * One piece of a message: text, an image or a video. Images and videos are already in the object
 * store ({@link #media()}). The vision stage adds {@link #visual()}; the video stage replaces a
 * VIDEO part by IMAGE parts of its key frames (with {@code maxPartition} 1 and {@link #frameTime()}).
 *
 * @param type         TEXT, IMAGE or VIDEO
 * @param text         the text of a TEXT part
 * @param media        the image or video of an IMAGE / VIDEO part
 * @param maxPartition IMAGE: Ovis2 max_partition (1–12; {@code null} = the model default, 9)
 * @param frames       VIDEO: how many key frames to keep ({@code null} = the service default)
 * @param frameTime    IMAGE made from a video: the frame's time in seconds; otherwise {@code null}
 * @param visual       IMAGE after the vision stage: where its visual embeddings are
 */
public record ContentPart(PartType type, String text, MediaRef media, Integer maxPartition, Integer frames,
                          Double frameTime, VisualEmbeddings visual) {

    public ContentPart {
        Objects.requireNonNull(type, "type");
        switch (type) {
            case TEXT -> {
                if (text == null) {
                    throw new IllegalArgumentException("a TEXT part needs text");
                }
            }
            case IMAGE, VIDEO -> {
                if (media == null) {
                    throw new IllegalArgumentException("an " + type + " part needs media");
                }
            }
        }
        OvisLimits.requireMaxPartition(maxPartition);
        OvisLimits.requireFrames(frames);
    }

    public static ContentPart text(String text) {
        return new ContentPart(PartType.TEXT, text, null, null, null, null, null);
    }

    public static ContentPart image(MediaRef media, Integer maxPartition) {
        return new ContentPart(PartType.IMAGE, null, media, maxPartition, null, null, null);
    }

    public static ContentPart video(MediaRef media, Integer frames) {
        return new ContentPart(PartType.VIDEO, null, media, null, frames, null, null);
    }

    /** This image part with its visual embeddings attached. */
    public ContentPart withVisual(VisualEmbeddings embeddings) {
        if (type != PartType.IMAGE) {
            throw new IllegalStateException("only IMAGE parts carry visual embeddings");
        }
        return new ContentPart(type, text, media, maxPartition, frames, frameTime, embeddings);
    }
}

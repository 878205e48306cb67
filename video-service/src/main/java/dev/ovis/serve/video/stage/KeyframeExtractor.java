package dev.ovis.serve.video.stage;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.video.Keyframe;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.support.stage.StageContext;
import dev.ovis.serve.support.stage.StageException;
import dev.ovis.serve.support.storage.ObjectStore;
import dev.ovis.serve.support.storage.ObjectStoreException;
import dev.ovis.serve.video.decode.DecodeListener;
import dev.ovis.serve.video.decode.DecodedVideo;
import dev.ovis.serve.video.decode.FfmpegVideoDecoder;
import dev.ovis.serve.video.decode.RgbFrame;
import dev.ovis.serve.video.decode.VideoException;
import dev.ovis.serve.video.decode.VideoInfo;
import dev.ovis.serve.video.decode.VideoProperties;
import dev.ovis.serve.video.embed.EmbeddingException;
import dev.ovis.serve.video.embed.FrameEmbedder;
import dev.ovis.serve.video.keyframe.KeyframeSelector;
import dev.ovis.serve.video.keyframe.QueryText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One video and a question to key frames in the object store: read the video, probe and decode
 * candidates (FFmpeg child process), embed them, select with MDP3, store the chosen frames as PNG.
 * Reports progress (probing, decoding n/N, selecting, storing) and stops when the job is cancelled.
 */
public final class KeyframeExtractor {

    private final ObjectStore store;
    private final FfmpegVideoDecoder decoder;
    private final FrameEmbedder embedder;
    private final KeyframeSelector selector;
    private final VideoProperties properties;

    public KeyframeExtractor(ObjectStore store, FfmpegVideoDecoder decoder, FrameEmbedder embedder,
                             KeyframeSelector selector, VideoProperties properties) {
        this.store = store;
        this.decoder = decoder;
        this.embedder = embedder;
        this.selector = selector;
        this.properties = properties;
    }

    /**
     * Selects key frames.
     *
     * @param frames      how many, {@code null} = the configured default
     * @param segmentSize MDP3 segment size, {@code null} = the configured default
     * @param progress    reports into [from, to] of the job's progress
     */
    public KeyframeResult extract(String tenant, MediaRef video, String question, Integer frames, Integer segmentSize,
                                  StageContext context, double from, double to) throws StageException {
        int count = frames != null ? frames : properties.defaultFrames();
        if (count > properties.maxFrames()) {
            throw new StageException(ErrorCode.VIDEO_LIMIT_EXCEEDED,
                    "asked for " + count + " key frames; the limit is " + properties.maxFrames());
        }
        Progress progress = new Progress(context, from, to);
        progress.report(0, "probing");
        try {
            byte[] media = store.readAll(video, properties.maxInputSize().toBytes());
            DecodedVideo decoded = decoder.decode(media, progress);
            if (context.cancelled()) {
                throw new StageException(ErrorCode.CANCELLED, "cancelled after decoding");
            }
            progress.report(0.8, "selecting " + Math.min(count, decoded.frames().size()) + " of "
                    + decoded.frames().size() + " frames (" + embedder.name() + ")");
            String query = QueryText.of(question);
            double[] queryVector = query.isEmpty() ? null : embedder.embedQuery(query);
            double[][] vectors = embedder.embedFrames(decoded.frames());
            int[] chosen = selector.select(vectors, queryVector, count,
                    segmentSize != null ? segmentSize : properties.segmentSize());
            progress.report(0.9, "storing " + chosen.length + " key frames");
            List<Keyframe> keyframes = new ArrayList<>(chosen.length);
            for (int index : chosen) {
                RgbFrame frame = decoded.frames().get(index);
                MediaRef png = store.putBytes(key(tenant, video, frame), PngFrames.encode(frame), "image/png");
                keyframes.add(new Keyframe(index, frame.timestamp(), png));
            }
            progress.report(1, "selected " + keyframes.size() + " key frames");
            return new KeyframeResult(embedder.name(), decoded.frames().size(), decoded.info().duration(), keyframes);
        } catch (VideoException | ObjectStoreException e) {
            throw StageException.of(e);
        } catch (EmbeddingException e) {
            throw new StageException(ErrorCode.INTERNAL, "frame embedding failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StageException(ErrorCode.UNAVAILABLE, "interrupted (the service is shutting down)", e);
        }
    }

    /** Deterministic per video, time and size: a redelivered job overwrites the same objects. */
    private String key(String tenant, MediaRef video, RgbFrame frame) {
        return tenant.replaceAll("[^A-Za-z0-9._-]", "_") + "/keyframes/" + video.sha256() + "/"
                + String.format(Locale.ROOT, "%09d-%dx%d.png", Math.round(frame.timestamp() * 1000),
                frame.width(), frame.height());
    }

    /** Maps decode events onto the job's progress. */
    private record Progress(StageContext context, double from, double to) implements DecodeListener {

        void report(double fraction, String message) {
            context.progress(from + (to - from) * fraction, message);
        }

        @Override
        public void probed(VideoInfo info, int candidates) {
            report(0.05, String.format(Locale.ROOT, "probed: %.1f s, %dx%d %s; decoding %d candidates",
                    info.duration(), info.width(), info.height(), info.codec(), candidates));
        }

        @Override
        public void decoded(int decoded, int candidates) {
            report(0.05 + 0.75 * decoded / candidates, "decoding " + decoded + "/" + candidates);
        }

        @Override
        public boolean cancelled() {
            return context.cancelled();
        }
    }
}

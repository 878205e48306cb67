package dev.ovis.serve.common.job;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;

/**
 * What a job carries through its route: exactly the field matching its {@link JobKind} is set.
 * Stages may return an enriched copy (vision adds visual-embedding references to image parts,
 * video turns a video part into its key frames) before forwarding.
 *
 * @param chat      set for {@link JobKind#CHAT}
 * @param ocr       set for {@link JobKind#OCR}
 * @param keyframes set for {@link JobKind#KEYFRAMES}
 */
public record JobPayload(ChatTask chat, OcrTask ocr, KeyframeTask keyframes) {

    public JobPayload {
        int set = (chat != null ? 1 : 0) + (ocr != null ? 1 : 0) + (keyframes != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one payload must be set, found " + set);
        }
    }

    public static JobPayload of(ChatTask chat) {
        return new JobPayload(chat, null, null);
    }

    public static JobPayload of(OcrTask ocr) {
        return new JobPayload(null, ocr, null);
    }

    public static JobPayload of(KeyframeTask keyframes) {
        return new JobPayload(null, null, keyframes);
    }

    /** The kind this payload belongs to. */
    public JobKind kind() {
        if (chat != null) {
            return JobKind.CHAT;
        }
        return ocr != null ? JobKind.OCR : JobKind.KEYFRAMES;
    }
}

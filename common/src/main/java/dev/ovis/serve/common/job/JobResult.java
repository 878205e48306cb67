package dev.ovis.serve.common.job;

import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.common.video.KeyframeResult;

/**
 * The final output of a job; exactly the field matching its {@link JobKind} is set.
 *
 * @param chat      the completion of a CHAT job
 * @param ocr       the text of an OCR job
 * @param keyframes the selected frames of a KEYFRAMES job
 */
public record JobResult(ChatResult chat, OcrResult ocr, KeyframeResult keyframes) {

    public JobResult {
        int set = (chat != null ? 1 : 0) + (ocr != null ? 1 : 0) + (keyframes != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("exactly one result must be set, found " + set);
        }
    }

    public static JobResult of(ChatResult chat) {
        return new JobResult(chat, null, null);
    }

    public static JobResult of(OcrResult ocr) {
        return new JobResult(null, ocr, null);
    }

    public static JobResult of(KeyframeResult keyframes) {
        return new JobResult(null, null, keyframes);
    }
}

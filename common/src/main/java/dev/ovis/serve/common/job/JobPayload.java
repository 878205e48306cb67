package dev.ovis.serve.common.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.video.KeyframeTask;
import java.util.Objects;

/**
 * What a job carries through its route: one variant per {@link JobKind}, each wrapping its task.
 * Stages may return an enriched copy (vision adds visual-embedding references to image parts,
 * video turns a video part into its key frames) before forwarding.
 *
 * <p>JSON form (Kafka requests, the gateway's {@code jobs.request} column, the job API): an object
 * with the one member named after the kind, {@code {"chat":{...}}}, {@code {"ocr":{...}}} or
 * {@code {"keyframes":{...}}} — the form of the record this type replaced, so old messages and rows
 * still read. {@link Fields} is that form; a mapper that writes nulls writes the other two as null,
 * as it did before.
 */
public sealed interface JobPayload permits JobPayload.Chat, JobPayload.Ocr, JobPayload.Keyframes {

    /** A chat completion ({@link JobKind#CHAT}). */
    record Chat(ChatTask task) implements JobPayload {
        public Chat {
            Objects.requireNonNull(task, "task");
        }
    }

    /** Text extraction from an image ({@link JobKind#OCR}). */
    record Ocr(OcrTask task) implements JobPayload {
        public Ocr {
            Objects.requireNonNull(task, "task");
        }
    }

    /** Key-frame selection ({@link JobKind#KEYFRAMES}). */
    record Keyframes(KeyframeTask task) implements JobPayload {
        public Keyframes {
            Objects.requireNonNull(task, "task");
        }
    }

    static JobPayload of(ChatTask chat) {
        return new Chat(chat);
    }

    static JobPayload of(OcrTask ocr) {
        return new Ocr(ocr);
    }

    static JobPayload of(KeyframeTask keyframes) {
        return new Keyframes(keyframes);
    }

    /** The task this payload wraps: a {@link ChatTask}, {@link OcrTask} or {@link KeyframeTask}. */
    Object task();

    /** The kind this payload belongs to. */
    default JobKind kind() {
        return switch (this) {
            case Chat chat -> JobKind.CHAT;
            case Ocr ocr -> JobKind.OCR;
            case Keyframes keyframes -> JobKind.KEYFRAMES;
        };
    }

    /** The JSON form (see the type's documentation). */
    @JsonValue
    default Fields fields() {
        return switch (this) {
            case Chat chat -> new Fields(chat.task(), null, null);
            case Ocr ocr -> new Fields(null, ocr.task(), null);
            case Keyframes keyframes -> new Fields(null, null, keyframes.task());
        };
    }

    /** Reads the JSON form. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static JobPayload fromFields(Fields fields) {
        if (fields.chat() != null) {
            return of(fields.chat());
        }
        return fields.ocr() != null ? of(fields.ocr()) : of(fields.keyframes());
    }

    /**
     * The JSON form of a payload: exactly the member matching its kind is set.
     *
     * @param chat      set for {@link JobKind#CHAT}
     * @param ocr       set for {@link JobKind#OCR}
     * @param keyframes set for {@link JobKind#KEYFRAMES}
     */
    record Fields(ChatTask chat, OcrTask ocr, KeyframeTask keyframes) {
        public Fields {
            int set = (chat != null ? 1 : 0) + (ocr != null ? 1 : 0) + (keyframes != null ? 1 : 0);
            if (set != 1) {
                throw new IllegalArgumentException("exactly one payload must be set, found " + set);
            }
        }
    }
}

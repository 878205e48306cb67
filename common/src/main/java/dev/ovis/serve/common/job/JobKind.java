package dev.ovis.serve.common.job;

import java.util.List;

/** What a job asks for; the kind decides which payload field of {@link JobPayload} is set. */
public enum JobKind {
    /** A chat completion over text, images and video ({@link JobPayload#chat()}). */
    CHAT,
    /** Text extraction from an image ({@link JobPayload#ocr()}). */
    OCR,
    /** Key-frame selection only ({@link JobPayload#keyframes()}). */
    KEYFRAMES;

    /** The default route for a kind; chat routes depend on the media in the request (see {@link Route#forChat}). */
    public Route defaultRoute() {
        return switch (this) {
            case CHAT -> new Route(List.of(Stage.LLM));
            case OCR -> new Route(List.of(Stage.OCR));
            case KEYFRAMES -> new Route(List.of(Stage.VIDEO));
        };
    }
}

package dev.ovis.serve.common.job;

/** What a job asks for; the kind decides which payload field of {@link JobPayload} is set (its route is the gateway's decision). */
public enum JobKind {
    /** A chat completion over text, images and video ({@link JobPayload#chat()}). */
    CHAT,
    /** Text extraction from an image ({@link JobPayload#ocr()}). */
    OCR,
    /** Key-frame selection only ({@link JobPayload#keyframes()}). */
    KEYFRAMES
}

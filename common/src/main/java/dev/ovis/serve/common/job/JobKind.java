package dev.ovis.serve.common.job;

/** What a job asks for; the kind decides which variant of {@link JobPayload} a job carries (its route is the gateway's decision). */
public enum JobKind {
    /** A chat completion over text, images and video ({@link JobPayload.Chat}). */
    CHAT,
    /** Text extraction from an image ({@link JobPayload.Ocr}). */
    OCR,
    /** Key-frame selection only ({@link JobPayload.Keyframes}). */
    KEYFRAMES
}

package dev.ovis.serve.ocr.paddle;

/**
 * Where the time of one Paddle read went, in nanoseconds: detection (incl. pre- and
 * post-processing), orientation classification, recognition (incl. cropping).
 */
public record StageTimings(long detectNanos, long classifyNanos, long recognizeNanos, int lines) {
}

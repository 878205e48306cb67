package dev.ovis.serve.common.ocr;

/** A point in original-image pixels. */
public record Point(double x, double y) {
}

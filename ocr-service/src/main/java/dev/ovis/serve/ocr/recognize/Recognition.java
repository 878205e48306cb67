package dev.ovis.serve.ocr.recognize;

/**
 * The text read from one line crop.
 *
 * @param text       decoded text
 * @param confidence mean probability of the emitted characters, in [0, 1]
 */
public record Recognition(String text, double confidence) {
}

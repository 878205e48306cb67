package dev.ovis.serve.ocr.recognize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The character list of a CTC recognition model: index 0 is the CTC blank, index i the
 * dictionary's line i-1, and — as PaddleOCR's {@code use_space_char} — a space appended last.
 * Without that space entry every index past the file shifts and words run together.
 */
public final class CharDictionary {

    private final String[] symbols;

    private CharDictionary(String[] symbols) {
        this.symbols = symbols;
    }

    /** Parses a dictionary file (UTF-8, one symbol per line) and adds the space entry. */
    public static CharDictionary parse(byte[] file) {
        String content = new String(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(content.lines().toList());
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        List<String> symbols = new ArrayList<>(lines.size() + 2);
        symbols.add("");
        symbols.addAll(lines);
        symbols.add(" ");
        return new CharDictionary(symbols.toArray(String[]::new));
    }

    /** Number of classes including blank and space. */
    public int size() {
        return symbols.length;
    }

    public String symbol(int index) {
        return symbols[index];
    }
}

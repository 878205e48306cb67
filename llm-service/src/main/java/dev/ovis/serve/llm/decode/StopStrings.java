package dev.ovis.serve.llm.decode;

import java.util.List;

/**
 * Cuts generated text before the first stop string, even when a stop string arrives split over
 * several tokens or chunks: text that could still be the start of a stop string is held back until
 * the next piece decides. Not thread-safe: one per sequence.
 */
final class StopStrings {

    private final List<String> stops;
    private String held = "";
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Whether a stop string was met (then nothing more is accepted). */
    boolean stopped() {
        return stopped;
    }

    /** Takes new text and returns what can be emitted now. */
    String accept(String piece) {
        if (stopped) {
            return "";
        }
        String buffer = held + piece;
        if (stops.isEmpty()) {
            return buffer;
        }
        int cut = -1;
        for (String stop : stops) {
            int at = buffer.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            stopped = true;
            held = "";
            return buffer.substring(0, cut);
        }
        int hold = longestSuffixThatStartsAStop(buffer);
        held = buffer.substring(buffer.length() - hold);
        return buffer.substring(0, buffer.length() - hold);
    }

    /** At the end without a stop: the held-back tail. */
    String flush() {
        String rest = stopped ? "" : held;
        held = "";
        return rest;
    }

    private int longestSuffixThatStartsAStop(String buffer) {
        int best = 0;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, buffer.length()); len > best; len--) {
                if (buffer.regionMatches(buffer.length() - len, stop, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}

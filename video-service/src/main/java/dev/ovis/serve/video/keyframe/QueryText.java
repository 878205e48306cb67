package dev.ovis.serve.video.keyframe;

/**
 * The text that steers relevance. The reference embeds the user's turn as written, image
 * placeholders included, so every query also "asks" for the literal {@code <image>} token; here
 * placeholders are removed and the rest trimmed (a documented deviation). A blank result means no
 * question: selection then uses constant relevance.
 */
public final class QueryText {

    private static final String PLACEHOLDER = "<image>";

    private QueryText() {
    }

    /** The question without {@code <image>} placeholders, trimmed; never {@code null}. */
    public static String of(String question) {
        if (question == null) {
            return "";
        }
        return question.replace(PLACEHOLDER, " ").replaceAll("[ \\t]+", " ").replaceAll(" ?\\n ?", "\n").strip();
    }
}

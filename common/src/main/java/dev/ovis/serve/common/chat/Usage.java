package dev.ovis.serve.common.chat;

/**
 * Token accounting.
 *
 * @param promptTokens     LLM positions of the prompt, visual positions included
 * @param completionTokens generated tokens
 */
public record Usage(int promptTokens, int completionTokens) {

    public Usage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}

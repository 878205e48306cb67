package dev.ovis.serve.common.chat;

/**
 * The log-probability of one chosen token.
 *
 * @param token   the token's text
 * @param id      the token id
 * @param logprob natural log of its probability under the (temperature-scaled) distribution
 */
public record TokenLogprob(String token, int id, double logprob) {
}

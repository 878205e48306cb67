package dev.ovis.serve.common.chat;

/** Who said a message. */
public enum Role {
    SYSTEM, USER, ASSISTANT
}

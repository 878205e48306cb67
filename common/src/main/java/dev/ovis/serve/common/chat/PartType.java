package dev.ovis.serve.common.chat;

/** The kind of a content part. */
public enum PartType {
    TEXT, IMAGE, VIDEO
}

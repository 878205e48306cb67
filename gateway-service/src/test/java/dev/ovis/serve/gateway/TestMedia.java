package dev.ovis.serve.gateway;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Bytes that look like real media to the type sniffer, with a random tail so every call is new content. */
public final class TestMedia {

    private TestMedia() {
    }

    public static byte[] png(int size) {
        byte[] bytes = random(size);
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        System.arraycopy(magic, 0, bytes, 0, magic.length);
        return bytes;
    }

    public static byte[] mp4(int size) {
        byte[] bytes = random(size);
        byte[] magic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
        System.arraycopy(magic, 0, bytes, 0, magic.length);
        return bytes;
    }

    public static byte[] text(String text) {
        return Arrays.copyOf(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII), text.length());
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}

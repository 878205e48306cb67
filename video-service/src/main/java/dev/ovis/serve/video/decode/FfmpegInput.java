package dev.ovis.serve.video.decode;

/**
 * What FFmpeg may open. Input comes only over HTTP from the {@link LoopbackMediaServer}; the
 * protocol whitelist stops a hostile file from opening anything else (local files, other hosts
 * through playlists), and the format whitelist keeps playlist and script demuxers (HLS, concat,
 * image sequences) out altogether.
 */
final class FfmpegInput {

    static final String PROTOCOLS = "http,tcp";
    static final String FORMATS = "mov,matroska,webm,avi,gif,flv,mpegts,mpeg,asf,ogg,ivf,nut,apng";

    private FfmpegInput() {
    }
}

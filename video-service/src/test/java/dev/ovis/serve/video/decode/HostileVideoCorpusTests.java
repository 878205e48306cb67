package dev.ovis.serve.video.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ovis.serve.common.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-video corpus: garbled, truncated, empty, wrong-container, huge-dimension and endless
 * videos, generated at test time with the bundled FFmpeg (fixed seeds), and files that try to make
 * FFmpeg open another URL (an HLS playlist, a concat script, an SDP session, a MOV whose data
 * reference points elsewhere) — at a local HTTP server that counts every request it gets. Each case
 * must decode or be refused with a {@link VideoException} whose code a client can act on (never
 * {@code INTERNAL}, never another exception) within a bound, and the server must see no request.
 */
class HostileVideoCorpusTests {

    /** Far beyond the decoder's own deadline (20 s here): a case still running then is a hang. */
    private static final Duration HANG = Duration.ofSeconds(60);
    private static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.CORRUPT_MEDIA, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            ErrorCode.VIDEO_LIMIT_EXCEEDED, ErrorCode.MEDIA_TOO_LARGE);
    private static final double[] CUTS = {0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.98};
    private static final int FLIPS = 9;

    @TempDir
    static Path temp;

    static TestVideos videos;
    static FfmpegVideoDecoder decoder;
    static HttpServer elsewhere;
    static final AtomicInteger hits = new AtomicInteger();

    @BeforeAll
    static void setUp() throws IOException {
        videos = new TestVideos(temp);
        // production's limits, with fewer and smaller candidates so the corpus runs quickly on CI
        decoder = new FfmpegVideoDecoder(TestVideos.programs(), VideoProperties.defaults().withSampling(2.0, 16, 64)
                .withLimits(Duration.ofMinutes(30), 3840L * 2160, Duration.ofSeconds(20)));
        elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        elsewhere.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        elsewhere.start();
    }

    @AfterAll
    static void tearDown() {
        decoder.close();
        elsewhere.stop(0);
    }

    @Test
    void everyHostileVideoIsDecodedOrRefusedWithAReasonInBoundedTimeAndNothingElseIsOpened() throws Exception {
        Map<String, byte[]> corpus = new LinkedHashMap<>();
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        Map<String, byte[]> fixtures = fixtures();
        fixtures.forEach((name, bytes) -> mutations(name, bytes, corpus));
        specials(fixtures, corpus, expected);

        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService runner = Executors.newSingleThreadExecutor()) {
            for (Map.Entry<String, byte[]> entry : corpus.entrySet()) {
                String[] answer = run(runner, entry.getValue());
                String outcome = answer[0];
                outcomes.merge(outcome, 1, Integer::sum);
                Set<String> allowed = expected.get(entry.getKey());
                boolean ok = allowed == null
                        ? outcome.equals("decoded") || REFUSALS.stream().anyMatch(code -> outcome.equals(code.name()))
                        : allowed.contains(outcome);
                if (allowed != null || entry.getKey().startsWith("MOV with")) {
                    System.out.println("  " + entry.getKey() + ": " + outcome + " (" + answer[1] + ")");
                }
                if (!ok) {
                    wrong.add(entry.getKey() + " -> " + outcome);
                }
            }
        }
        System.out.printf("Hostile video corpus: %d cases in %.1f s, %s, %d requests elsewhere%n", corpus.size(),
                (System.nanoTime() - start) / 1e9, outcomes, hits.get());
        assertThat(wrong).as("cases answered wrongly").isEmpty();
        assertThat(hits.get()).as("requests FFmpeg made to another server").isZero();
    }

    @Test
    void theProtocolWhitelistAloneKeepsFfmpegFromOpeningAnyOtherUrlOnAnyHost() throws Exception {
        Path playlist = temp.resolve("elsewhere.m3u8");
        java.nio.file.Files.writeString(playlist, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nhttp://127.0.0.1:"
                + elsewhere.getAddress().getPort() + "/segment.ts\n#EXT-X-ENDLIST\n");
        // the HLS demuxer forced, as if the format whitelist let it through: only the protocols stand in its way
        int before = hits.get();
        probe(playlist, FfmpegInput.PROTOCOLS);
        assertThat(hits.get() - before).as("requests with the production whitelist '%s'", FfmpegInput.PROTOCOLS).isZero();

        // and the server would see it if FFmpeg could reach it (this test can fail): what "http,tcp" allowed
        probe(playlist, FfmpegInput.PROTOCOLS + ",http,tcp");
        assertThat(hits.get() - before).as("requests once http and tcp are allowed").isPositive();
        hits.set(before);
    }

    private static void probe(Path input, String protocols) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(TestVideos.programs().ffprobe().toString(), "-v", "error",
                "-protocol_whitelist", protocols, "-f", "hls", "-show_format", FfmpegInput.URL)
                .redirectInput(input.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("ffprobe finished").isTrue();
    }

    /**
     * The outcome — "decoded", the refusal's code, or what went wrong otherwise ("hang", an exception's
     * class) — and its detail.
     */
    private static String[] run(ExecutorService runner, byte[] media) throws InterruptedException {
        Future<DecodedVideo> decoding = runner.submit(() -> decoder.decode(media, DecodeListener.NONE));
        try {
            DecodedVideo video = decoding.get(HANG.toSeconds(), TimeUnit.SECONDS);
            return new String[] {video.frames().isEmpty() ? "decoded without frames" : "decoded",
                    video.frames().size() + " frames of " + video.info().width() + "x" + video.info().height()
                            + ", " + video.info().duration() + " s"};
        } catch (TimeoutException e) {
            decoding.cancel(true);
            return new String[] {"hang", "no answer within " + HANG};
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof VideoException refused) {
                boolean reason = refused.getMessage() != null && !refused.getMessage().isBlank();
                return new String[] {refused.code().name() + (reason ? "" : " without a reason"), refused.getMessage()};
            }
            return new String[] {e.getCause().getClass().getSimpleName(), String.valueOf(e.getCause().getMessage())};
        }
    }

    private static Map<String, byte[]> fixtures() throws IOException, InterruptedException {
        Map<String, byte[]> fixtures = new LinkedHashMap<>();
        fixtures.put("mp4", videos.testPattern("f.mp4", 64, 48, 2, 10, "-c:v", "libopenh264"));
        fixtures.put("webm", videos.testPattern("f.webm", 64, 48, 2, 10, "-c:v", "libvpx-vp9", "-deadline", "realtime",
                "-cpu-used", "8"));
        fixtures.put("mkv", videos.testPattern("f.mkv", 64, 48, 2, 10, "-c:v", "ffv1"));
        fixtures.put("avi", videos.testPattern("f.avi", 64, 48, 2, 10, "-c:v", "mjpeg"));
        fixtures.put("mov", videos.testPattern("f.mov", 64, 48, 2, 10, "-c:v", "mjpeg"));
        fixtures.put("gif", videos.testPattern("f.gif", 64, 48, 2, 10));
        fixtures.put("apng", videos.testPattern("f.apng", 32, 24, 1, 10, "-f", "apng", "-plays", "0"));
        return fixtures;
    }

    /** Each fixture truncated at several points and to its header, and with bytes flipped (fixed seeds). */
    private static void mutations(String name, byte[] bytes, Map<String, byte[]> corpus) {
        for (double cut : CUTS) {
            corpus.put(name + " cut at " + cut, Arrays.copyOf(bytes, (int) (bytes.length * cut)));
        }
        corpus.put(name + " first 32 bytes", Arrays.copyOf(bytes, Math.min(32, bytes.length)));
        for (int seed = 0; seed < FLIPS; seed++) {
            Random random = new Random(seed * 31L + name.hashCode());
            byte[] flipped = bytes.clone();
            int flips = 1 + random.nextInt(Math.max(2, bytes.length / 200));
            for (int i = 0; i < flips; i++) {
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 + random.nextInt(255));
            }
            corpus.put(name + " flipped #" + seed, flipped);
        }
    }

    private static void specials(Map<String, byte[]> fixtures, Map<String, byte[]> corpus,
                                 Map<String, Set<String>> expected) throws IOException, InterruptedException {
        Set<ErrorCode> notAVideo = Set.of(ErrorCode.CORRUPT_MEDIA, ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        special(corpus, expected, "empty", new byte[0], Set.of(ErrorCode.CORRUPT_MEDIA));
        special(corpus, expected, "one byte", new byte[] {0x1a}, notAVideo);
        special(corpus, expected, "text", "this is not a video at all\n".repeat(100).getBytes(StandardCharsets.UTF_8), notAVideo);
        byte[] garbage = new byte[256 * 1024];
        new Random(7).nextBytes(garbage);
        special(corpus, expected, "random bytes", garbage, notAVideo);
        special(corpus, expected, "a PNG image", videos.make("still.png", List.of("-f", "lavfi", "-i",
                "testsrc=size=64x48:rate=1:duration=1"), "-frames:v", "1"), notAVideo);
        special(corpus, expected, "a JPEG image", videos.make("still.jpg", List.of("-f", "lavfi", "-i",
                "testsrc=size=64x48:rate=1:duration=1"), "-frames:v", "1"), notAVideo);
        special(corpus, expected, "WAV audio", videos.make("tone.wav", List.of("-f", "lavfi", "-i",
                "sine=frequency=440:duration=1")), notAVideo);
        special(corpus, expected, "audio-only Matroska", videos.make("tone.mka", List.of("-f", "lavfi", "-i",
                "sine=frequency=440:duration=1"), "-c:a", "flac"), notAVideo);
        special(corpus, expected, "a PDF header", "%PDF-1.7\n%âãÏÓ\n1 0 obj\n".getBytes(StandardCharsets.ISO_8859_1), notAVideo);

        // huge dimensions claimed by the header of a small file
        special(corpus, expected, "GIF of 65535x65535", gifScreen(fixtures.get("gif"), 65535, 65535),
                Set.of(ErrorCode.VIDEO_LIMIT_EXCEEDED, ErrorCode.CORRUPT_MEDIA));
        // (its MJPEG frames say 64x48, which is what FFmpeg decodes: the header's lie costs nothing)
        special(corpus, expected, "AVI header claiming 100000x100000", aviSize(fixtures.get("avi"), 100_000, 100_000),
                Set.of(ErrorCode.VIDEO_LIMIT_EXCEEDED, ErrorCode.CORRUPT_MEDIA), "decoded");
        special(corpus, expected, "MKV of 4096x4096", videos.make("huge.mkv", List.of("-f", "lavfi", "-i",
                "color=c=blue:size=4096x4096:rate=1:duration=1"), "-c:v", "ffv1"), Set.of(ErrorCode.VIDEO_LIMIT_EXCEEDED));
        // endless: a header claiming ten hours, and two frames ten hours apart
        // (FFmpeg takes the duration from the sample table, which says 2 s: decoded, or refused if it believed it)
        special(corpus, expected, "MP4 headers claiming 10 h", mp4Hours(fixtures.get("mp4"), 10),
                Set.of(ErrorCode.VIDEO_LIMIT_EXCEEDED), "decoded");
        special(corpus, expected, "MKV with frames 10 h apart", videos.make("long.mkv", List.of("-f", "lavfi", "-i",
                "color=c=red:size=16x16:rate=1:duration=2", "-vf", "setpts=N*36000/TB", "-fps_mode", "passthrough"),
                "-c:v", "ffv1"), Set.of(ErrorCode.VIDEO_LIMIT_EXCEEDED));
        // an enormous frame count: decoded (sampled) or refused, in bounded time either way
        corpus.put("GIF of 6000 frames", videos.make("many.gif", List.of("-f", "lavfi", "-i",
                "testsrc=size=8x8:rate=100:duration=60")));
        corpus.put("APNG of 3000 frames", videos.make("many.apng", List.of("-f", "lavfi", "-i",
                "testsrc=size=8x8:rate=100:duration=30"), "-f", "apng"));

        // files that name another URL: refused, and the server elsewhere never asked
        String url = "http://127.0.0.1:" + elsewhere.getAddress().getPort();
        special(corpus, expected, "HLS playlist", ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n"
                + url + "/hls.ts\n#EXT-X-ENDLIST\n").getBytes(StandardCharsets.UTF_8), notAVideo);
        special(corpus, expected, "concat script", ("ffconcat version 1.0\nfile '" + url + "/concat.mp4'\n")
                .getBytes(StandardCharsets.UTF_8), notAVideo);
        special(corpus, expected, "SDP session", ("v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
                + "m=video " + elsewhere.getAddress().getPort() + " RTP/AVP 96\na=rtpmap:96 H264/90000\n")
                .getBytes(StandardCharsets.UTF_8), notAVideo);
        // a MOV whose track's data is "elsewhere": FFmpeg would fetch it if it followed data references
        corpus.put("MOV with a data reference to a URL", movDataReference(fixtures.get("mov"), url + "/dref.mov"));
        corpus.put("MOV with a data reference to a file", movDataReference(fixtures.get("mov"), "file:///etc/passwd"));
    }

    /** A case whose outcome must be one of {@code codes} (or of {@code others}, e.g. "decoded"). */
    private static void special(Map<String, byte[]> corpus, Map<String, Set<String>> expected, String name, byte[] bytes,
                                Set<ErrorCode> codes, String... others) {
        corpus.put(name, bytes);
        Set<String> allowed = new java.util.HashSet<>(List.of(others));
        codes.forEach(code -> allowed.add(code.name()));
        expected.put(name, allowed);
    }

    /** The GIF's logical screen (bytes 6–9, little-endian) set to {@code width}×{@code height}. */
    private static byte[] gifScreen(byte[] gif, int width, int height) {
        byte[] patched = gif.clone();
        ByteBuffer.wrap(patched).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(6, (short) width).putShort(8, (short) height);
        return patched;
    }

    /** The AVI's main header and video stream format claiming {@code width}×{@code height}. */
    private static byte[] aviSize(byte[] avi, int width, int height) {
        byte[] patched = avi.clone();
        ByteBuffer buffer = ByteBuffer.wrap(patched).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int avih = indexOf(patched, "avih", 0);
        buffer.putInt(avih + 8 + 32, width).putInt(avih + 8 + 36, height);
        int strf = indexOf(patched, "strf", 0);
        buffer.putInt(strf + 8 + 4, width).putInt(strf + 8 + 8, height);
        return patched;
    }

    /** The MP4's movie and media headers (version 0) claiming {@code hours} hours. */
    private static byte[] mp4Hours(byte[] mp4, int hours) {
        byte[] patched = mp4.clone();
        ByteBuffer buffer = ByteBuffer.wrap(patched);
        for (String header : List.of("mvhd", "mdhd")) {
            for (int at = indexOf(patched, header, 0); at >= 0; at = indexOf(patched, header, at + 4)) {
                int timescale = buffer.getInt(at + 16);
                buffer.putInt(at + 20, (int) Math.min(0xFFFF_FFFFL, (long) timescale * 3600 * hours));
            }
        }
        for (int at = indexOf(patched, "tkhd", 0); at >= 0; at = indexOf(patched, "tkhd", at + 4)) {
            buffer.putInt(at + 24, 1000 * 3600 * hours);
        }
        return patched;
    }

    /**
     * The MOV (index at the end, so no offset moves) with its data reference box replaced by one
     * external {@code url } entry naming {@code target}; the sizes of every enclosing box grow with it.
     */
    private static byte[] movDataReference(byte[] mov, String target) {
        int dref = indexOf(mov, "dref", 0) - 4;
        int oldSize = ByteBuffer.wrap(mov).getInt(dref);
        byte[] location = (target + "\0").getBytes(StandardCharsets.UTF_8);
        ByteBuffer entry = ByteBuffer.allocate(12 + location.length);
        entry.putInt(12 + location.length).put("url ".getBytes(StandardCharsets.US_ASCII)).putInt(0).put(location);
        ByteBuffer box = ByteBuffer.allocate(16 + entry.capacity());
        box.putInt(box.capacity()).put("dref".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(1).put(entry.array());
        int grow = box.capacity() - oldSize;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(mov, 0, dref);
        out.writeBytes(box.array());
        out.write(mov, dref + oldSize, mov.length - dref - oldSize);
        byte[] patched = out.toByteArray();
        ByteBuffer buffer = ByteBuffer.wrap(patched);
        for (String parent : List.of("moov", "trak", "mdia", "minf", "dinf")) {
            int at = indexOf(patched, parent, 0) - 4;
            assertThat(at).as(parent + " box before dref").isBetween(0, dref);
            buffer.putInt(at, buffer.getInt(at) + grow);
        }
        return patched;
    }

    private static int indexOf(byte[] bytes, String fourCc, int from) {
        byte[] pattern = fourCc.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

package dev.ovis.serve.video.decode;

import dev.ovis.serve.common.error.ErrorCode;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Probes a video with the bundled {@code ffprobe} (JSON output): container, first real video
 * stream (cover art in audio files does not count), duration, displayed size after rotation
 * metadata, frame rate and count.
 */
final class FfprobeProber {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FfmpegPrograms programs;

    FfprobeProber(FfmpegPrograms programs) {
        this.programs = programs;
    }

    VideoInfo probe(FfmpegInput input, Instant deadline) throws VideoException, InterruptedException {
        List<String> command = List.of(programs.ffprobe().toString(), "-v", "error",
                "-protocol_whitelist", FfmpegInput.PROTOCOLS, "-format_whitelist", FfmpegInput.FORMATS,
                "-print_format", "json", "-show_format", "-show_streams", FfmpegInput.URL);
        String output;
        try (ChildProcess child = ChildProcess.start(command, deadline, input.file())) {
            byte[] stdout;
            try {
                stdout = child.stdout().readAllBytes();
            } catch (IOException e) {
                // the JDK may close the pipe under a reader when the watchdog kills the child
                if (!child.killedAtDeadline()) {
                    throw e;
                }
                stdout = new byte[0];
            }
            int status = child.waitFor();
            if (child.killedAtDeadline()) {
                throw new VideoException(ErrorCode.VIDEO_LIMIT_EXCEEDED, "probing the video did not finish in time");
            }
            if (status != 0) {
                String why = child.errorText();
                throw new VideoException(ErrorCode.CORRUPT_MEDIA,
                        "not a readable video: " + (why.isEmpty() ? "ffprobe exit status " + status : why));
            }
            output = new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VideoException(ErrorCode.INTERNAL, "cannot run ffprobe: " + e.getMessage());
        }
        try {
            return parse(JSON.readTree(output));
        } catch (JacksonException e) {
            throw new VideoException(ErrorCode.CORRUPT_MEDIA, "ffprobe gave no usable description of the file");
        }
    }

    static VideoInfo parse(JsonNode root) throws VideoException {
        JsonNode format = root.path("format");
        JsonNode video = null;
        for (JsonNode stream : root.path("streams")) {
            if ("video".equals(stream.path("codec_type").asString(""))
                    && stream.path("disposition").path("attached_pic").asInt(0) == 0) {
                video = stream;
                break;
            }
        }
        if (video == null) {
            throw new VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the file (" + format.path("format_name").asString("unknown format") + ") has no video stream");
        }
        int width = video.path("width").asInt(0);
        int height = video.path("height").asInt(0);
        if (width < 1 || height < 1) {
            throw new VideoException(ErrorCode.CORRUPT_MEDIA, "the video stream states no frame size");
        }
        if (Math.abs(rotation(video)) % 180 == 90) {
            int swap = width;
            width = height;
            height = swap;
        }
        double duration = number(format.path("duration"));
        if (!(duration > 0)) {
            duration = number(video.path("duration"));
        }
        if (!(duration > 0)) {
            throw new VideoException(ErrorCode.CORRUPT_MEDIA, "the video states no duration");
        }
        return new VideoInfo(format.path("format_name").asString(""), video.path("codec_name").asString(""),
                duration, width, height, rate(video.path("avg_frame_rate").asString("0/0")),
                (long) Math.max(0, number(video.path("nb_frames"))));
    }

    private static double rotation(JsonNode video) {
        for (JsonNode side : video.path("side_data_list")) {
            if (side.has("rotation")) {
                return side.path("rotation").asDouble(0);
            }
        }
        return number(video.path("tags").path("rotate"));
    }

    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asString(""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double rate(String fraction) {
        String[] parts = fraction.split("/");
        try {
            double num = Double.parseDouble(parts[0]);
            double den = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
            return den > 0 ? num / den : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

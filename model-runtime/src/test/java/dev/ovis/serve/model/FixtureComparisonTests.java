package dev.ovis.serve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.testing.TinyFixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureComparisonTests {

    @TempDir
    Path temp;

    @Test
    void theCommittedFixtureAgreesWithItself() throws IOException {
        assertThat(FixtureComparison.differences(TinyFixture.DIR, copy())).isEmpty();
    }

    @Test
    void floatsMovedInTheirLastBitsAgreeAndTheirChecksumIsNotCompared() throws IOException {
        // given the visual embeddings nudged by one ulp each, as another CPU's kernels would
        Path copy = copy();
        Path file = copy.resolve("reference/one_image.visual_embeds.f32.bin");
        ByteBuffer floats = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < floats.limit(); i += 4) {
            floats.putFloat(i, Math.nextUp(floats.getFloat(i)));
        }
        Files.write(file, floats.array());
        // then
        assertThat(FixtureComparison.differences(TinyFixture.DIR, copy)).isEmpty();
    }

    @Test
    void aFloatBeyondToleranceIsReported() throws IOException {
        Path copy = copy();
        Path file = copy.resolve("reference/vision_check.visual_embeds.f32.bin");
        ByteBuffer floats = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        floats.putFloat(40, floats.getFloat(40) + 0.01f);
        Files.write(file, floats.array());
        assertThat(FixtureComparison.differences(TinyFixture.DIR, copy)).singleElement().asString()
                .startsWith("reference/vision_check.visual_embeds.f32.bin[10]");
    }

    @Test
    void tokenSequencesAndWeightsMustBeExact() throws IOException {
        Path copy = copy();
        Path json = copy.resolve("reference/reference.json");
        String text = Files.readString(json);
        // a different first greedy token of the text-only prompt
        var m = java.util.regex.Pattern.compile("(\"tokens\": \\[\\s*)(\\d+)").matcher(text);
        assertThat(m.find()).isTrue();
        Files.writeString(json, text.substring(0, m.start(2)) + (Integer.parseInt(m.group(2)) + 1) + text.substring(m.end(2)));
        byte[] weights = Files.readAllBytes(copy.resolve("text_embeds.bin"));
        weights[weights.length - 1] ^= 1;
        Files.write(copy.resolve("text_embeds.bin"), weights);
        assertThat(FixtureComparison.differences(TinyFixture.DIR, copy))
                .anyMatch(d -> d.startsWith("reference/reference.json.prompts[0].greedy.tokens[0]"))
                .anyMatch(d -> d.startsWith("text_embeds.bin: bytes differ"));
    }

    @Test
    void theToleranceIsAbsolutePlusRelative() {
        assertThat(FixtureComparison.close(0.5, 0.5 + 1.4e-4)).isTrue();
        assertThat(FixtureComparison.close(0.5, 0.5 + 1.6e-4)).isFalse();
        assertThat(FixtureComparison.close(100.0, 100.0 + 0.9e-2)).isTrue();
    }

    private Path copy() throws IOException {
        Path target = temp.resolve("copy");
        try (Stream<Path> paths = Files.walk(TinyFixture.DIR)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path dest = target.resolve(TinyFixture.DIR.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }
}

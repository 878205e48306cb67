package dev.ovis.serve.video.keyframe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryTextTests {

    @Test
    void removesImagePlaceholdersAndTrims() {
        assertThat(QueryText.of("<image>\n<image>\nWhat is the dog doing?  ")).isEqualTo("What is the dog doing?");
        assertThat(QueryText.of("Compare <image> and <image> please")).isEqualTo("Compare and please");
    }

    @Test
    void blankOrMissingMeansNoQuestion() {
        assertThat(QueryText.of(null)).isEmpty();
        assertThat(QueryText.of("<image>\n")).isEmpty();
    }
}

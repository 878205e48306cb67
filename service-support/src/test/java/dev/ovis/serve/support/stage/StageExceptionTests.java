package dev.ovis.serve.support.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.support.image.InvalidImageException;
import dev.ovis.serve.support.storage.ObjectStoreException;
import org.junit.jupiter.api.Test;

class StageExceptionTests {

    @Test
    void anExceptionThatKnowsItsCodeBecomesTheStageFailureWithItsCodeAndMessage() {
        InvalidImageException invalid = new InvalidImageException(ErrorCode.CORRUPT_MEDIA, "truncated PNG");

        StageException failure = StageException.of(invalid);

        assertThat(failure.code()).isEqualTo(ErrorCode.CORRUPT_MEDIA);
        assertThat(failure.detail()).isEqualTo("truncated PNG");
        assertThat(failure).hasCause(invalid);
    }

    @Test
    void whereItHappenedPrefixesTheDetail() {
        ObjectStoreException missing = new ObjectStoreException(ErrorCode.NOT_FOUND, "no such object");

        StageException failure = StageException.of("image 2 of 3", missing);

        assertThat(failure.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(failure.detail()).isEqualTo("image 2 of 3: no such object");
        assertThat(failure).hasCause(missing);
    }
}

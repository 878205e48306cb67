package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PageCursorTests {

    @Test
    void roundTripsThroughItsToken() {
        PageCursor cursor = new PageCursor(Instant.parse("2026-11-26T07:35:39.123456Z"), "4f1c-job:id");
        assertThat(PageCursor.decode(cursor.encode())).isEqualTo(cursor);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void refusesTokensItDidNotMake() {
        assertThatThrownBy(() -> PageCursor.decode("not a cursor")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> PageCursor.decode("MTIz")).isInstanceOf(ApiException.class);
    }
}

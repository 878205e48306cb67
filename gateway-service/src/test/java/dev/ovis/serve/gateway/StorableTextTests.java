package dev.ovis.serve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StorableTextTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void anEscapedNulInJsonBecomesTheReplacementCharacterButAnEscapedBackslashBeforeU0000DoesNot() {
        String written = json.writeValueAsString(Map.of("a", "x\u0000y", "b", "\\u0000 is how JSON writes NUL"));

        String stored = StorableText.replaceNulInJson(written);

        Map<?, ?> back = json.readValue(stored, Map.class);
        assertThat(back.get("a")).isEqualTo("x\uFFFDy");
        assertThat(back.get("b")).isEqualTo("\\u0000 is how JSON writes NUL");
        assertThat(StorableText.replaceNulInJson("{\"c\":\"\\\\\\u0000\"}")).isEqualTo("{\"c\":\"\\\\\\ufffd\"}");
    }

    @Test
    void plainTextHasNulReplacedAndNullStaysNull() {
        assertThat(StorableText.replaceNul("a\u0000b\u0000")).isEqualTo("a\uFFFDb\uFFFD");
        assertThat(StorableText.replaceNul(null)).isNull();
    }

    @Test
    void pairedSurrogatesAreFineAndUnpairedOnesAreRefusedWithThePath() {
        StorableText.requireStorable(json.readTree("{\"emoji\": [\"\uD83D\uDE00\"]}"), "");
        assertThatThrownBy(() -> StorableText.requireStorable(json.readTree("{\"m\": [{\"t\": \"a\\ud83d\"}]}"), ""))
                .isInstanceOf(ApiException.class).hasMessageContaining("'m[0].t'").hasMessageContaining("U+D83D");
    }
}

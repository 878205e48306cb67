package dev.ovis.serve.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A raw chat task is read once, by name first, and every refusal is a 400 naming what is wrong. */
class ChatTaskReaderTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final ChatTaskReader reader = new ChatTaskReader(json);

    @Test
    void aTaskWithoutSamplingGetsTheReferenceSettings() {
        // given a minimal task
        ObjectNode payload = payload("{\"model\": \"m\", \"messages\": [{\"role\": \"USER\", \"parts\": [{\"type\": \"TEXT\", \"text\": \"hi\"}]}]}");
        // when
        ChatTaskReader.checkShape(payload);
        ChatTask task = reader.read(payload);
        // then
        assertThat(task.sampling()).isEqualTo(SamplingParams.REFERENCE);
        assertThat(task.stream()).isFalse();
    }

    @Test
    void aMissingMemberIsNamedNotANullPointer() {
        assertThatThrownBy(() -> ChatTaskReader.checkShape(payload("{\"model\": \"m\", \"messages\": [{\"parts\": []}]}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("'payload.messages[0].role'");
                });
        assertThatThrownBy(() -> ChatTaskReader.checkShape(payload("{\"model\": \"m\", \"messages\": [{\"role\": \"USER\", \"parts\": [{}]}]}")))
                .hasMessageContaining("'payload.messages[0].parts[0].type'");
    }

    @Test
    void aRecordRuleOrAnUnknownMemberIsA400NamingIt() {
        ObjectNode noText = payload("{\"model\": \"m\", \"messages\": [{\"role\": \"USER\", \"parts\": [{\"type\": \"TEXT\"}]}]}");
        ChatTaskReader.checkShape(noText);
        assertThatThrownBy(() -> reader.read(noText)).isInstanceOf(ApiException.class)
                .hasMessageContaining("payload does not fit the CHAT task").hasMessageContaining("a TEXT part needs text")
                .hasMessageNotContaining("NullPointer");
        ObjectNode unknown = payload("{\"model\": \"m\", \"messages\": [{\"role\": \"USER\", \"parts\": [{\"type\": \"TEXT\", \"text\": \"x\", \"colour\": 1}]}]}");
        assertThatThrownBy(() -> reader.read(unknown)).isInstanceOf(ApiException.class).hasMessageContaining("colour");
    }

    private ObjectNode payload(String text) {
        return (ObjectNode) json.readTree(text);
    }
}

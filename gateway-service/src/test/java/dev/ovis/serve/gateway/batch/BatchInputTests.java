package dev.ovis.serve.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class BatchInputTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CHAT = "/v1/chat/completions";

    @Test
    void aValidFileBecomesOneItemPerRequestLine() throws Exception {
        // given two requests and a blank line between them
        String file = line("a", CHAT, "ovis2-tiny") + "\n\n" + line("b", CHAT, "ovis2-tiny") + "\n";

        // when it is read
        BatchInput.Result result = read(file, CHAT, 10);

        // then each request is an item numbered by its line in the file, with its body
        assertThat(result.errors()).isEmpty();
        assertThat(result.items()).extracting(BatchRepository.NewItem::line, BatchRepository.NewItem::customId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "a"), org.assertj.core.groups.Tuple.tuple(3, "b"));
        assertThat(JSON.readTree(result.items().getFirst().body()).get("model").asString()).isEqualTo("ovis2-tiny");
    }

    @Test
    void everyKindOfBadLineIsReportedWithItsLineNumberAndNoItemIsKept() throws Exception {
        // given one good line and one of each mistake
        String file = String.join("\n",
                line("ok", CHAT, "ovis2-tiny"),
                "{not json",
                "{\"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {\"model\": \"ovis2-tiny\"}}",
                line("ok", CHAT, "ovis2-tiny"),
                line("wrong-url", "/v1/embeddings", "ovis2-tiny"),
                line("unknown-model", CHAT, "gpt-4o"),
                "{\"custom_id\": \"get\", \"method\": \"GET\", \"url\": \"/v1/chat/completions\", \"body\": {}}",
                "{\"custom_id\": \"no-body\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\"}",
                "[1, 2]");

        BatchInput.Result result = read(file, CHAT, 100);

        assertThat(result.items()).isEmpty();
        assertThat(result.errors()).extracting(error -> error.get("line"), error -> error.get("code")).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, "invalid_json_line"),
                org.assertj.core.groups.Tuple.tuple(3, "missing_required_parameter"),
                org.assertj.core.groups.Tuple.tuple(4, "duplicate_custom_id"),
                org.assertj.core.groups.Tuple.tuple(5, "mismatched_endpoint"),
                org.assertj.core.groups.Tuple.tuple(6, "model_not_found"),
                org.assertj.core.groups.Tuple.tuple(7, "invalid_value"),
                org.assertj.core.groups.Tuple.tuple(8, "missing_required_parameter"),
                org.assertj.core.groups.Tuple.tuple(9, "invalid_json_line"));
        assertThat(result.errors().get(2)).containsEntry("param", "custom_id");
        assertThat((String) result.errors().get(4).get("message")).contains("gpt-4o");
    }

    @Test
    void moreLinesThanTheLimitFailTheFile() throws Exception {
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            file.append(line("r" + i, CHAT, "ovis2-tiny")).append('\n');
        }

        BatchInput.Result result = read(file.toString(), CHAT, 3);

        assertThat(result.items()).isEmpty();
        assertThat(result.errors()).singleElement().satisfies(error -> assertThat(error)
                .containsEntry("code", "too_many_requests").containsEntry("line", 4));
    }

    @Test
    void anEmptyFileFails() throws Exception {
        assertThat(read("\n\n", CHAT, 3).errors()).extracting(error -> error.get("code")).containsExactly("empty_file");
    }

    @Test
    void otherEndpointsNeedNoModel() throws Exception {
        String file = "{\"custom_id\": \"scan-1\", \"method\": \"POST\", \"url\": \"/v1/ocr\", \"body\": {\"image\": \"media-1\"}}";

        BatchInput.Result result = read(file, "/v1/ocr", 3);

        assertThat(result.errors()).isEmpty();
        assertThat(result.items()).hasSize(1);
    }

    private static BatchInput.Result read(String file, String endpoint, int maxLines) throws Exception {
        return BatchInput.read(new BufferedReader(new StringReader(file)), endpoint, Set.of("ovis2-tiny")::contains,
                maxLines, JSON);
    }

    private static String line(String customId, String url, String model) {
        return JSON.writeValueAsString(Map.of("custom_id", customId, "method", "POST", "url", url,
                "body", Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "hi")))));
    }
}

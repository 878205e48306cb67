package dev.ovis.serve.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ovis.serve.common.chat.ChatTask;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of {@link JobPayload} is the one of the record it replaced: requests on Kafka and
 * rows in PostgreSQL written before the change must read, and what is written now must be byte
 * for byte what was written then.
 */
class JobPayloadJsonTests {

    private static final String SHA = "a".repeat(64);
    private static final String MEDIA = "{\"bucket\":\"ovis-media\",\"key\":\"t/media/" + SHA + "\",\"contentType\":\"image/png\","
            + "\"sha256\":\"" + SHA + "\",\"size\":3}";

    /** As written to Kafka before the change (the envelope mapper leaves nulls out). */
    static final String OLD_CHAT = "{\"chat\":{\"model\":\"tiny\",\"messages\":[{\"role\":\"USER\",\"parts\":"
            + "[{\"type\":\"TEXT\",\"text\":\"hi\"}]}],\"sampling\":{\"maxTokens\":1024,\"temperature\":0.0,\"topP\":1.0,"
            + "\"topK\":0,\"repetitionPenalty\":1.0,\"stop\":[],\"logprobs\":false,\"reasoning\":false},\"stream\":false}}";
    static final String OLD_OCR = "{\"ocr\":{\"media\":" + MEDIA + ",\"languages\":[\"eng\"],\"engine\":\"fast\"}}";
    static final String OLD_KEYFRAMES = "{\"keyframes\":{\"media\":" + MEDIA + ",\"question\":\"goal?\",\"frames\":8}}";
    /** As the gateway's mapper (nulls written) stored it in {@code jobs.request} before the change. */
    static final String OLD_OCR_ROW = "{\"chat\":null,\"ocr\":{\"media\":" + MEDIA
            + ",\"languages\":[\"eng\"],\"engine\":\"fast\"},\"keyframes\":null}";

    private final JsonMapper kafka = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(inclusion -> inclusion
                    .withValueInclusion(JsonInclude.Include.NON_NULL)
                    .withContentInclusion(JsonInclude.Include.NON_NULL))
            .build();
    private final JsonMapper withNulls = JsonMapper.builder().build();

    @Test
    void oldMessagesReadAsTheirVariantAndWriteBackIdentically() {
        // given JSON written by the record JobPayload
        // when read and written again
        JobPayload chat = kafka.readValue(OLD_CHAT, JobPayload.class);
        JobPayload ocr = kafka.readValue(OLD_OCR, JobPayload.class);
        JobPayload keyframes = kafka.readValue(OLD_KEYFRAMES, JobPayload.class);

        // then each is its variant, and the JSON is unchanged
        assertThat(chat).isInstanceOfSatisfying(JobPayload.Chat.class,
                c -> assertThat(c.task().messages().getFirst().parts().getFirst().text()).isEqualTo("hi"));
        assertThat(chat.kind()).isEqualTo(JobKind.CHAT);
        assertThat(ocr).isInstanceOfSatisfying(JobPayload.Ocr.class, o -> assertThat(o.task().engine()).isEqualTo("fast"));
        assertThat(ocr.kind()).isEqualTo(JobKind.OCR);
        assertThat(keyframes).isInstanceOfSatisfying(JobPayload.Keyframes.class,
                k -> assertThat(k.task().frames()).isEqualTo(8));
        assertThat(keyframes.kind()).isEqualTo(JobKind.KEYFRAMES);
        assertThat(kafka.writeValueAsString(chat)).isEqualTo(OLD_CHAT);
        assertThat(kafka.writeValueAsString(ocr)).isEqualTo(OLD_OCR);
        assertThat(kafka.writeValueAsString(keyframes)).isEqualTo(OLD_KEYFRAMES);
    }

    @Test
    void oldRowsWithNullMembersReadAndWriteBackIdentically() {
        JobPayload ocr = withNulls.readValue(OLD_OCR_ROW, JobPayload.class);

        assertThat(ocr).isInstanceOf(JobPayload.Ocr.class);
        assertThat(withNulls.writeValueAsString(ocr)).isEqualTo(OLD_OCR_ROW);
    }

    @Test
    void aPayloadInsideAStageRequestKeepsItsForm() {
        JobPayload payload = JobPayload.of(kafka.readValue(OLD_OCR, JobPayload.Fields.class).ocr());
        StageRequest request = new StageRequest("job-1", "t", Route.parse("ocr"), Stage.OCR, null, payload);

        String json = kafka.writeValueAsString(request);

        assertThat(json).contains("\"payload\":" + OLD_OCR);
        assertThat(kafka.readValue(json, StageRequest.class)).isEqualTo(request);
    }

    @Test
    void noneOrTwoMembersAreRefused() {
        assertThatThrownBy(() -> kafka.readValue("{}", JobPayload.class)).hasMessageContaining("exactly one payload");
        String two = "{\"ocr\":" + OLD_OCR.substring("{\"ocr\":".length(), OLD_OCR.length() - 1)
                + ",\"keyframes\":" + OLD_KEYFRAMES.substring("{\"keyframes\":".length(), OLD_KEYFRAMES.length() - 1) + "}";
        assertThatThrownBy(() -> kafka.readValue(two, JobPayload.class)).hasMessageContaining("exactly one payload");
    }

    @Test
    void factoriesPickTheVariant() {
        assertThat(JobPayload.of(kafka.readValue(OLD_CHAT, JobPayload.Fields.class).chat())).isInstanceOf(JobPayload.Chat.class);
        assertThatThrownBy(() -> JobPayload.of((ChatTask) null)).isInstanceOf(NullPointerException.class);
    }
}

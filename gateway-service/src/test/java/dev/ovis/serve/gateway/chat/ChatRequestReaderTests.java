package dev.ovis.serve.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class ChatRequestReaderTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final ChatRequestReader reader = new ChatRequestReader(1024, 8192);

    private ChatRequest read(String body) {
        return reader.read(json.readTree(body.replace('\'', '"')));
    }

    private ApiException refusal(String body) {
        try {
            read(body);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void readsAPlainTextRequestWithReferenceDefaults() {
        ChatRequest request = read("{'model': 'm', 'messages': [{'role': 'user', 'content': 'hi'}], 'user': 'ignored-field'}");

        assertThat(request.model()).isEqualTo("m");
        assertThat(request.messages()).hasSize(1);
        assertThat(request.messages().getFirst().role()).isEqualTo(Role.USER);
        assertThat(request.messages().getFirst().parts().getFirst().text()).isEqualTo("hi");
        assertThat(request.sampling().greedy()).isTrue();
        assertThat(request.sampling().maxTokens()).isEqualTo(1024);
        assertThat(request.stream()).isFalse();
    }

    @Test
    void readsInterleavedImagesVideosAndExtensions() {
        ChatRequest request = read("""
                {'model': 'm', 'max_partition': 4, 'frames': 8, 'reasoning': true, 'stream': true,
                 'stream_options': {'include_usage': true}, 'max_completion_tokens': 64, 'temperature': 0.7,
                 'top_p': 0.9, 'top_k': 20, 'seed': 7, 'stop': ['END', 'STOP'], 'logprobs': true,
                 'messages': [
                   {'role': 'developer', 'content': 'be brief'},
                   {'role': 'user', 'content': [
                     {'type': 'text', 'text': 'compare'},
                     {'type': 'image_url', 'image_url': {'url': 'https://example.org/a.png', 'detail': 'high', 'max_partition': 12}},
                     {'type': 'image_url', 'image_url': 'data:image/png;base64,AAAA'},
                     {'type': 'video_url', 'video_url': {'url': 'media-id-1', 'frames': 16}}]}]}""");

        assertThat(request.messages().getFirst().role()).isEqualTo(Role.SYSTEM);
        var parts = request.messages().get(1).parts();
        assertThat(parts).extracting(ChatRequest.Part::type)
                .containsExactly(PartType.TEXT, PartType.IMAGE, PartType.IMAGE, PartType.VIDEO);
        assertThat(parts.get(1).maxPartition()).isEqualTo(12);
        assertThat(parts.get(2).maxPartition()).isEqualTo(4);
        assertThat(parts.get(2).source()).startsWith("data:image/png");
        assertThat(parts.get(3).frames()).isEqualTo(16);
        assertThat(request.sampling().maxTokens()).isEqualTo(64);
        assertThat(request.sampling().temperature()).isEqualTo(0.7);
        assertThat(request.sampling().topK()).isEqualTo(20);
        assertThat(request.sampling().seed()).isEqualTo(7L);
        assertThat(request.sampling().stop()).containsExactly("END", "STOP");
        assertThat(request.sampling().logprobs()).isTrue();
        assertThat(request.sampling().reasoning()).isTrue();
        assertThat(request.includeUsage()).isTrue();
        assertThat(request.has(PartType.VIDEO)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'messages': [{'role': 'user', 'content': 'hi'}]}                                   | 'model' must be a non-empty string",
            "{'model': 'm', 'messages': []}                                                      | 'messages' must be a non-empty array",
            "{'model': 'm', 'max_tokens': '5', 'messages': [{'role': 'user', 'content': 'x'}]}   | 'max_tokens' must be an integer",
            "{'model': 'm', 'max_tokens': 0, 'messages': [{'role': 'user', 'content': 'x'}]}     | 'max_tokens' must be between 1 and 8192",
            "{'model': 'm', 'temperature': 3, 'messages': [{'role': 'user', 'content': 'x'}]}    | 'temperature' must be between 0 and 2",
            "{'model': 'm', 'temperature': 'hot', 'messages': [{'role': 'user', 'content': 'x'}]} | 'temperature' must be a number",
            "{'model': 'm', 'stream': 'yes', 'messages': [{'role': 'user', 'content': 'x'}]}     | 'stream' must be true or false",
            "{'model': 'm', 'n': 2, 'messages': [{'role': 'user', 'content': 'x'}]}              | 'n' must be 1",
            "{'model': 'm', 'stop': ['a','b','c','d','e'], 'messages': [{'role': 'user', 'content': 'x'}]} | at most 4 strings",
            "{'model': 'm', 'tools': [{'type': 'function'}], 'messages': [{'role': 'user', 'content': 'x'}]} | 'tools' (function calling) is not supported",
            "{'model': 'm', 'messages': [{'role': 'tool', 'content': 'x'}]}                      | Ovis2 has no tool calling",
            "{'model': 'm', 'messages': [{'role': 'user', 'content': 'x'}, {'role': 'assistant', 'content': 'y'}]} | must not be the assistant's",
            "{'model': 'm', 'seed': 1.5, 'messages': [{'role': 'user', 'content': 'x'}]}         | 'seed' must be an integer",
    })
    void refusesWrongTypesAndValuesNamingTheMember(String body, String expected) {
        ApiException refusal = refusal(body);

        assertThat(refusal.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(refusal.detail()).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{'role': 'user'}                                                          | 'messages[0].content' is required",
            "{'role': 'user', 'content': [{'type': 'input_audio'}]}                    | 'messages[0].content[0].type' 'input_audio' is not supported",
            "{'role': 'user', 'content': [{'type': 'image_url'}]}                      | 'messages[0].content[0].image_url.url' must be a non-empty string",
            "{'role': 'user', 'content': [{'type': 'text', 'text': 5}]}                | 'messages[0].content[0].text' must be a string",
            "{'role': 'system', 'content': [{'type': 'image_url', 'image_url': 'x'}]}  | images are accepted in user messages only",
    })
    void refusesBadContentPartsAsContentErrors(String message, String expected) {
        ApiException refusal = refusal("{'model': 'm', 'messages': [" + message + "]}");

        assertThat(refusal.code()).isEqualTo(ErrorCode.INVALID_CONTENT_PART);
        assertThat(refusal.detail()).contains(expected);
    }

    @Test
    void refusesAMaxPartitionOutOfRange() {
        ApiException refusal = refusal("{'model': 'm', 'messages': [{'role': 'user', 'content': "
                + "[{'type': 'image_url', 'image_url': {'url': 'x', 'max_partition': 13}}]}]}");

        assertThat(refusal.detail()).contains("'messages[0].content[0].image_url.max_partition' must be between 1 and 12");
    }

    @Test
    void refusesANonObjectBody() {
        assertThatThrownBy(() -> reader.read(json.readTree("[1,2]"))).isInstanceOf(ApiException.class)
                .hasMessageContaining("must be a JSON object");
    }
}

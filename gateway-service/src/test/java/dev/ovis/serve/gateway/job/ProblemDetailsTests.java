package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;

import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.gateway.JsonBody;
import dev.ovis.serve.gateway.JsonProperties;
import dev.ovis.serve.gateway.auth.ApiKeys;
import dev.ovis.serve.gateway.auth.AuthProperties;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.gateway.media.MediaService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

/**
 * Every refusal is an RFC 9457 problem with the code's type, a precise detail and the {@code code}
 * member — including those raised by codecs, routing and the auth filter (a WebFlux slice; the job
 * and media services are stand-ins).
 */
@WebFluxTest(controllers = JobController.class, properties = "ovis.gateway.auth.keys.test-key=tenant-t",
        // only the auth filter and the problem handler of the web layer: other features' filters have their own tests
        excludeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
                pattern = "dev\\.ovis\\.serve\\.gateway\\.(?!auth\\.|problem\\.|job\\.).*"))
@Import(ProblemDetailsTests.Slice.class)
class ProblemDetailsTests {

    @TestConfiguration
    @EnableConfigurationProperties({AuthProperties.class, JsonProperties.class, JobsProperties.class})
    @Import({ApiKeys.class, JobRequestReader.class, JsonBody.class})
    static class Slice {
    }

    @Autowired
    WebTestClient web;
    @MockitoBean
    JobService jobs;
    @MockitoBean
    MediaService media;
    @MockitoBean
    ChatRequests chatRequests;

    @Test
    void noKeyIs401WithABearerChallenge() {
        web.get().uri("/v1/jobs").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueMatches("WWW-Authenticate", "Bearer.*")
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:unauthorized")
                .jsonPath("$.title").isEqualTo("Unauthorized")
                .jsonPath("$.status").isEqualTo(401)
                .jsonPath("$.code").isEqualTo("unauthorized")
                .jsonPath("$.instance").isEqualTo("/v1/jobs")
                .jsonPath("$.detail").isEqualTo("missing API key: send 'Authorization: Bearer <key>'");
        web.get().uri("/v1/jobs").header("Authorization", "Bearer wrong").exchange()
                .expectStatus().isUnauthorized().expectBody().jsonPath("$.detail").isEqualTo("unknown API key");
        web.get().uri("/v1/jobs").header("Authorization", "Basic dXNlcjpwYXNz").exchange()
                .expectStatus().isUnauthorized();
    }

    @Test
    void malformedJsonIs400MalformedJson() {
        post("{\"kind\": \"OCR\", \"payload\": {")
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:malformed-json")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).startsWith("the body is not valid JSON"));
    }

    @Test
    void aValueOfTheWrongTypeIs400InvalidRequestNamingTheField() {
        given(media.resolve(anyString(), anyString())).willReturn(Mono.just(
                new MediaRef("b", "tenant-t/media/x", "image/png", "a".repeat(64), 10)));
        post("{\"kind\": \"OCR\", \"payload\": {\"media\": \"m1\", \"languages\": 5}}")
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:invalid-request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("payload.languages"));
        post("{\"kind\": \"OCR\", \"payload\": {\"media\": \"m1\", \"langauges\": [\"en\"]}}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("langauges"));
    }

    @Test
    void requestsThatBreakTheJobContractAre400() {
        post("").expectStatus().isBadRequest().expectBody().jsonPath("$.code").isEqualTo("invalid-request");
        post("[1, 2]").expectStatus().isBadRequest();
        post("{\"kind\": \"DANCE\", \"payload\": {}}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("DANCE", "OCR"));
        post("{\"kind\": \"OCR\"}").expectStatus().isBadRequest();
        post("{\"kind\": \"OCR\", \"payload\": {\"languages\": [\"en\"]}}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail)
                        .contains("'payload.media'").doesNotContain("NullPointer"));
        post("{\"kind\": \"OCR\", \"payload\": {\"media\": {\"bucket\": \"x\", \"key\": \"tenant-b/media/secret\"}}}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("payload.media"));
        web.post().uri("/v1/jobs").header("Authorization", "Bearer test-key").header("Idempotency-Key", "x".repeat(201))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange().expectStatus().isBadRequest();
    }

    @Test
    void unknownRoutesAre404AndWrongMethods405() {
        web.get().uri("/v1/nothing-here").header("Authorization", "Bearer test-key").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:not-found")
                .jsonPath("$.detail").isEqualTo("no endpoint at /v1/nothing-here");
        web.method(HttpMethod.DELETE).uri("/v1/jobs").header("Authorization", "Bearer test-key").exchange()
                .expectStatus().isEqualTo(405)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(405)
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:method-not-allowed")
                .jsonPath("$.error.type").isEqualTo("invalid_request_error")
                .jsonPath("$.error.code").isEqualTo("method_not_allowed")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("DELETE"));
    }

    @Test
    void aBodyOverTheCodecLimitIs413() {
        post("{\"kind\": \"OCR\", \"payload\": {\"pad\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}}")
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:media-too-large");
    }

    @Test
    void anUnexpectedErrorIs500WithoutAStackTrace() {
        given(jobs.find(anyString(), anyString())).willReturn(Mono.error(new IllegalStateException("boom")));
        web.get().uri("/v1/jobs/j1").header("Authorization", "Bearer test-key").exchange()
                .expectStatus().isEqualTo(500)
                .expectBody()
                .jsonPath("$.type").isEqualTo("urn:ovis-serve:problem:internal")
                .jsonPath("$.trace").doesNotExist()
                .jsonPath("$.error_id").value(id -> assertThat((String) id).matches("[0-9a-f-]{36}"))
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).doesNotContain("boom", "IllegalState")
                        .contains("error_id"));
    }

    @Test
    void anUnexpectedErrorNeverEchoesItsMessageWhichMayHoldSql() {
        given(jobs.find(anyString(), anyString())).willReturn(Mono.error(new org.springframework.jdbc.BadSqlGrammarException(
                "insert", "insert into jobs (secret) values (?)", new java.sql.SQLException("ERROR: unsupported Unicode escape"))));
        web.get().uri("/v1/jobs/j1").header("Authorization", "Bearer test-key").exchange()
                .expectStatus().isEqualTo(500)
                .expectBody(String.class).value(body -> assertThat(body).doesNotContainIgnoringCase("insert")
                        .doesNotContain("Unicode", "secret").contains("error_id"));
    }

    @Test
    void aNulOrAnUnpairedSurrogateAnywhereInTheBodyIs400NamingTheField() {
        post("{\"kind\": \"OCR\", \"payload\": {\"media\": \"m1\", \"languages\": [\"en\", \"a\\u0000b\"]}}")
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.code").isEqualTo("invalid-request")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("'payload.languages[1]'", "U+0000"));
        post("{\"kind\": \"OCR\", \"payload\": {\"x\\u0000\": 1}}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("member name", "U+0000"));
        post("{\"kind\": \"OCR\\udc00\"}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("'kind'", "surrogate"));
    }

    @Test
    void deepNestingLongNumbersAndTokenFloodsAreRefusedWhileParsing() {
        post("{\"kind\": \"OCR\", \"payload\": " + "[".repeat(500) + "]".repeat(500) + "}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("nesting depth"));
        post("{\"kind\": \"OCR\", \"payload\": {\"n\": " + "9".repeat(5000) + "}}")
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Number value length"));
        // small on the wire, millions of nodes in memory: a flat array of empty arrays
        post("{\"kind\": \"OCR\", \"payload\": [" + "[],".repeat(150_000) + "[]]}")
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("Token count"));
    }

    @Test
    void aJobOfNobodyIs404() {
        given(jobs.find(any(), any())).willReturn(Mono.error(ApiException.notFound("job", "j2")));
        web.get().uri("/v1/jobs/j2").header("Authorization", "Bearer test-key").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.detail").isEqualTo("no job 'j2'");
    }

    private WebTestClient.ResponseSpec post(String body) {
        return web.post().uri("/v1/jobs").header("Authorization", "Bearer test-key")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }
}

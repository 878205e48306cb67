package dev.ovis.serve.gateway.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.support.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/** The OpenAI Files API on the real object store and PostgreSQL: upload, read, list, delete, per tenant. */
public class FilesApiIT extends GatewayIntegrationTest {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() { };

    @Autowired
    ObjectStore store;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aFileIsStoredPerTenantListedReadAndDeleted() {
        // given a JSONL file uploaded as OpenAI clients do
        byte[] content = "{\"custom_id\": \"a\"}\n{\"custom_id\": \"b\"}\n".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> file = upload(as(KEY_A), "input.jsonl", content, "batch");

        // then it is an OpenAI file object, its bytes are in the store under the tenant
        assertThat((String) file.get("id")).startsWith("file-");
        assertThat(file).containsEntry("object", "file").containsEntry("bytes", content.length)
                .containsEntry("filename", "input.jsonl").containsEntry("purpose", "batch").containsEntry("status", "processed");
        String id = (String) file.get("id");
        assertThat(store.exists("tenant-a/files/" + id)).isTrue();
        as(KEY_A).get().uri("/v1/files/{id}", id).exchange().expectStatus().isOk().expectBody(MAP)
                .value(read -> assertThat(read).isEqualTo(file));
        as(KEY_A).get().uri("/v1/files/{id}/content", id).exchange().expectStatus().isOk()
                .expectBody(byte[].class).isEqualTo(content);

        // and another tenant can neither see nor delete it
        as(KEY_B).get().uri("/v1/files/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_B).get().uri("/v1/files/{id}/content", id).exchange().expectStatus().isNotFound();
        as(KEY_B).delete().uri("/v1/files/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_B).get().uri("/v1/files").exchange().expectStatus().isOk().expectBody(MAP)
                .value(list -> assertThat(ids(list)).doesNotContain(id));

        // when the owner deletes it
        as(KEY_A).delete().uri("/v1/files/{id}", id).exchange().expectStatus().isOk().expectBody(MAP)
                .value(deleted -> assertThat(deleted).containsEntry("id", id).containsEntry("deleted", true));

        // then row and bytes are gone
        as(KEY_A).get().uri("/v1/files/{id}", id).exchange().expectStatus().isNotFound();
        assertThat(store.exists("tenant-a/files/" + id)).isFalse();
    }

    @Test
    void aFileExpiresAsItsPolicySaysAndIsPurgedAfterwards() {
        byte[] content = "{\"custom_id\": \"a\"}\n".getBytes(StandardCharsets.UTF_8);
        // given an upload with OpenAI's expires_after, and one without (a batch input: 30 days by default)
        Map<String, Object> hour = upload(as(KEY_A), "hour.jsonl", content, "batch",
                Map.of("expires_after[anchor]", "created_at", "expires_after[seconds]", "3600"));
        Map<String, Object> plain = upload(as(KEY_A), "plain.jsonl", content, "batch");
        assertThat(seconds(hour, "expires_at") - seconds(hour, "created_at")).isEqualTo(3600);
        assertThat(seconds(plain, "expires_at") - seconds(plain, "created_at")).isEqualTo(30L * 24 * 3600);
        // and policies OpenAI refuses are refused, naming the parameter
        refused(Map.of("expires_after[anchor]", "created_at", "expires_after[seconds]", "60"), "'expires_after.seconds'");
        refused(Map.of("expires_after[anchor]", "created_at", "expires_after[seconds]", "2592001"), "'expires_after.seconds'");
        refused(Map.of("expires_after[anchor]", "last_active_at", "expires_after[seconds]", "3600"), "'expires_after.anchor'");
        refused(Map.of("expires_after[seconds]", "3600"), "'expires_after.anchor'");

        // when the hour has passed (by the database clock)
        String id = (String) hour.get("id");
        jdbc.sql("update files set expires_at = now() - interval '1 second' where id = ?").param(id).update();

        // then the file is gone for its tenant at once: not found, not listed, not deletable
        as(KEY_A).get().uri("/v1/files/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_A).get().uri("/v1/files/{id}/content", id).exchange().expectStatus().isNotFound();
        as(KEY_A).delete().uri("/v1/files/{id}", id).exchange().expectStatus().isNotFound();
        as(KEY_A).get().uri("/v1/files").exchange().expectStatus().isOk().expectBody(MAP)
                .value(list -> assertThat(ids(list)).doesNotContain(id).contains((String) plain.get("id")));
        // and the purge removes its bytes and its row; the other file stays
        await().atMost(WAIT).until(() -> !store.exists("tenant-a/files/" + id)
                && jdbc.sql("select count(*) from files where id = ?").param(id).query(Long.class).single() == 0);
        as(KEY_A).get().uri("/v1/files/{id}/content", plain.get("id")).exchange().expectStatus().isOk();
    }

    @Test
    void theListIsPagedWithAfterAndLimit() {
        WebTestClient client = as(KEY_B);
        String first = (String) upload(client, "1.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), "batch").get("id");
        String second = (String) upload(client, "2.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), "batch").get("id");
        String third = (String) upload(client, "3.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), "batch").get("id");

        Map<String, Object> page = client.get().uri("/v1/files?limit=2").exchange().expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        assertThat(page).containsEntry("object", "list").containsEntry("has_more", true)
                .containsEntry("first_id", third).containsEntry("last_id", second);
        assertThat(ids(page)).containsExactly(third, second);

        Map<String, Object> next = client.get().uri("/v1/files?limit=2&after=" + second).exchange().expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        assertThat(ids(next)).startsWith(first);

        Map<String, Object> ascending = client.get().uri("/v1/files?order=asc&after=" + first + "&limit=2").exchange()
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat(ids(ascending)).containsExactly(second, third);
    }

    @Test
    void uploadsNeedTheBatchPurposeAndAFilePart() {
        MultipartBodyBuilder noPurpose = new MultipartBodyBuilder();
        noPurpose.part("file", "{}\n".getBytes(StandardCharsets.UTF_8)).filename("x.jsonl");
        as(KEY_A).post().uri("/v1/files").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(noPurpose.build())).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.detail").value(detail ->
                        assertThat((String) detail).contains("purpose"));

        MultipartBodyBuilder fineTune = new MultipartBodyBuilder();
        fineTune.part("file", "{}\n".getBytes(StandardCharsets.UTF_8)).filename("x.jsonl");
        fineTune.part("purpose", "fine-tune");
        as(KEY_A).post().uri("/v1/files").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(fineTune.build())).exchange().expectStatus().isBadRequest();

        MultipartBodyBuilder noFile = new MultipartBodyBuilder();
        noFile.part("purpose", "batch");
        as(KEY_A).post().uri("/v1/files").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(noFile.build())).exchange().expectStatus().isBadRequest();
    }

    /** Uploads {@code content} as multipart {@code file} + {@code purpose}; returns the file object. */
    public static Map<String, Object> upload(WebTestClient client, String filename, byte[] content, String purpose) {
        return upload(client, filename, content, purpose, Map.of());
    }

    /** {@link #upload(WebTestClient, String, byte[], String)} with further form fields ({@code expires_after[...]}). */
    static Map<String, Object> upload(WebTestClient client, String filename, byte[] content, String purpose,
                                      Map<String, String> fields) {
        return post(client, filename, content, purpose, fields).expectStatus().isOk().expectBody(MAP).returnResult()
                .getResponseBody();
    }

    private static WebTestClient.ResponseSpec post(WebTestClient client, String filename, byte[] content, String purpose,
                                                   Map<String, String> fields) {
        MultipartBodyBuilder multipart = new MultipartBodyBuilder();
        multipart.part("purpose", purpose);
        fields.forEach(multipart::part);
        multipart.part("file", content).filename(filename).contentType(MediaType.APPLICATION_OCTET_STREAM);
        return client.post().uri("/v1/files").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(multipart.build())).exchange();
    }

    private void refused(Map<String, String> fields, String naming) {
        post(as(KEY_A), "x.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), "batch", fields).expectStatus().isBadRequest()
                .expectBody(MAP).value(problem -> assertThat((String) problem.get("detail")).contains(naming));
    }

    private static long seconds(Map<String, Object> file, String field) {
        return ((Number) file.get(field)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Map<String, Object> list) {
        return ((List<Map<String, Object>>) list.get("data")).stream().map(file -> (String) file.get("id")).toList();
    }
}

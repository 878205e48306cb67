import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The images' health-check client (they carry no curl or wget): {@code java -cp /app/health
 * HealthCheck URL} exits 0 when URL answers 200 within 4 s, 1 otherwise. Uses java.base only, so
 * it runs on the images' jlink'ed runtime. Docker and compose call it; Kubernetes probes HTTP itself.
 */
public final class HealthCheck {

    private HealthCheck() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: HealthCheck URL");
            System.exit(2);
        }
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(4000);
            int status = connection.getResponseCode();
            System.out.println(args[0] + " " + status);
            System.exit(status == 200 ? 0 : 1);
        } catch (Exception e) {
            System.out.println(args[0] + " " + e);
            System.exit(1);
        }
    }
}

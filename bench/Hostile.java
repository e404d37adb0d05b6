import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The hostile-input corpus as raw HTTP/1.1 requests (the suite's HostileInputTest checks each answer in detail; this
 * is for running them at length against a process): each case says what it sends and answers the status it got.
 */
final class Hostile {

    /** One hostile request; {@link #send} answers the status, 0 when the server closed without answering. */
    record Case(String name, String head, byte[] body, long streamBytes, boolean chunked) {

        int send(int port) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                try {
                    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    byte[] block = new byte[64 * 1024];
                    Arrays.fill(block, (byte) 'a');
                    for (long sent = 0; sent < streamBytes; sent += block.length) {
                        if (chunked) {
                            out.write((Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.write(block);
                        if (chunked) {
                            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.flush();
                } catch (IOException closedEarly) {
                    // the server answered and closed before taking it all: read what it said
                }
                return status(socket.getInputStream());
            }
        }
    }

    private Hostile() {
    }

    static List<Case> corpus() {
        long now = Instant.now().getEpochSecond();
        String membership = "{\"type\":\"membership.activated\",\"data\":{\"id\":\"mem_hostile\"}}";
        String deep = "{\"type\":\"membership.activated\",\"data\":{\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}}";
        byte[] invalidUtf8 = concat("{\"type\":\"membership.activated\",\"data\":{\"id\":\"".getBytes(StandardCharsets.UTF_8),
                new byte[]{(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}}".getBytes(StandardCharsets.UTF_8));
        return List.of(
                webhook("forged signature", "msg_h_forged", now, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", membership.getBytes(StandardCharsets.UTF_8)),
                webhook("stale timestamp", "msg_h_stale", now - 3600, null, membership.getBytes(StandardCharsets.UTF_8)),
                new Case("missing headers", post("/webhooks/whop", "application/json", 2) + "\r\n", "{}".getBytes(StandardCharsets.UTF_8), 0, false),
                webhook("invalid UTF-8", "msg_h_utf8", now, null, invalidUtf8),
                webhook("JSON 10,000 deep", "msg_h_deep", now, null, deep.getBytes(StandardCharsets.UTF_8)),
                new Case("100 MB declared", post("/webhooks/whop", "application/json", 100L * 1024 * 1024) + "\r\n", new byte[0],
                        1024 * 1024, false),
                new Case("100 MB streamed", "POST /webhooks/whop HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n", new byte[0], 100L * 1024 * 1024, true),
                new Case("200 KB header", "POST /webhooks/whop HTTP/1.1\r\nHost: localhost\r\nwebhook-id: " + "x".repeat(200_000)
                        + "\r\nContent-Length: 2\r\n\r\n", "{}".getBytes(StandardCharsets.UTF_8), 0, false),
                new Case("form body", post("/webhooks/whop", "application/x-www-form-urlencoded", 3) + "\r\n",
                        "a=b".getBytes(StandardCharsets.UTF_8), 0, false),
                new Case("path traversal", "GET /api/events/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + ChaosBench.TOKEN + "\r\n\r\n", new byte[0], 0, false));
    }

    /** A webhook signed with the run's secret (or with {@code signature} when given). */
    private static Case webhook(String name, String id, long timestamp, String signature, byte[] body) {
        String sig = signature != null ? signature : ChaosBench.sign(id, timestamp, body);
        String head = post("/webhooks/whop", "application/json", body.length) + "webhook-id: " + id + "\r\nwebhook-timestamp: "
                + timestamp + "\r\nwebhook-signature: " + sig + "\r\n\r\n";
        return new Case(name, head, body, 0, false);
    }

    private static String post(String path, String contentType, long length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\nContent-Length: " + length + "\r\n";
    }

    private static int status(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            for (int c; head.size() < 12 && (c = in.read()) >= 0; ) {
                head.write(c);
            }
        } catch (IOException reset) {
            // a reset after the answer: keep what arrived
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}

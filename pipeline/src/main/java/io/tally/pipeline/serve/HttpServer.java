package io.tally.pipeline.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@link QueryApi} on Jetty 12's core server (no servlet layer): requests in, answers out, one
 * access-log line per request through SLF4J (logger {@code tally.serve.access}).
 */
public final class HttpServer implements AutoCloseable {
    /** Request lines up to this size are answered by the API (long parameters get a 400 there). */
    static final int MAX_REQUEST_HEADER_BYTES = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;

    private HttpServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static HttpServer start(QueryApi api, String host, int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("tally-serve");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        // Paths are matched still encoded and each parameter is decoded by the API itself, so an
        // encoded '/' or '%' in a username (SPEC §6.1.4) is data, not an ambiguity to refuse.
        http.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new ApiHandler(api));
        server.setErrorHandler(new JsonErrorHandler());
        server.setRequestLog(
                new CustomRequestLog(
                        new Slf4jRequestLogWriter() {
                            {
                                setLoggerName("tally.serve.access");
                            }
                        },
                        "%{client}a \"%r\" %s %O %{ms}Tms"));
        server.setStopAtShutdown(false); // the command stops it, in order, on Ctrl-C
        server.setStopTimeout(3_000); // requests in flight get 3 s to finish
        server.start();
        return new HttpServer(server, connector);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Moves bytes between Jetty and the API; blocking is fine (JDBC), Jetty gives a thread. */
    private static final class ApiHandler extends Handler.Abstract {
        private final QueryApi api;

        ApiHandler(QueryApi api) {
            this.api = api;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String id = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
            ApiRequest apiRequest =
                    new ApiRequest(
                            request.getMethod(),
                            request.getHttpURI().getPath(),
                            ApiRequest.parseQuery(request.getHttpURI().getQuery()),
                            request.getHeaders().get(HttpHeader.ORIGIN),
                            id);
            ApiResponse answer = api.handle(apiRequest);
            response.setStatus(answer.status());
            HttpFields.Mutable headers = response.getHeaders();
            for (Map.Entry<String, String> h : answer.headers().entrySet()) {
                headers.put(h.getKey(), h.getValue());
            }
            headers.put("X-Request-Id", id);
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }
    }

    /**
     * Errors Jetty answers itself (a malformed request line, headers over the limit) in the {@code
     * /api/v1} error shape instead of an HTML page (SPEC §6.1.6).
     */
    private static final class JsonErrorHandler extends ErrorHandler {
        @Override
        protected boolean generateAcceptableResponse(
                Request request,
                Response response,
                Callback callback,
                String contentType,
                List<java.nio.charset.Charset> charsets,
                int code,
                String message,
                Throwable cause) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON);
            response.write(true, ByteBuffer.wrap(body(code)), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(new HttpField(HttpHeader.CONTENT_TYPE, ApiResponse.JSON));
            return ByteBuffer.wrap(body(status));
        }

        private static byte[] body(int code) {
            String message =
                    code == 414 || code == 431
                            ? "Request too large"
                            : code >= 500 ? "Internal server error" : "Bad request";
            String errorCode = code >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR";
            return ("{\"error\":true,\"message\":\""
                            + message
                            + "\",\"code\":\""
                            + errorCode
                            + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}

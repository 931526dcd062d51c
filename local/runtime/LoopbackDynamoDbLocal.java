import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only. Its own main (ServerRunner.main) listens on every
 * interface and has no option for the address; this builds the same server from the same
 * arguments, binds its Jetty connector to loopback, and starts it. Run in Java's source-file mode
 * (`java -cp <DynamoDBLocal.jar and its libs> LoopbackDynamoDbLocal.java -port … -dbPath …`).
 * ServerRunner.main's other step, setting up telemetry, is left out: nothing is sent to AWS.
 * Only this machine's own callers are served, as by every other local listener
 * (local/runtime/loopback-host.ts): a Host that is not loopback gets 421, a foreign Origin 403.
 * It exits once its standard input ends: the runtime holds the other end of that pipe, which the
 * kernel closes however the runtime dies (SIGKILL included), so no DynamoDB Local outlives it.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    exitWhenInputEnds();
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // Built with `new Server(port)`: one connector, on every interface. A DynamoDB Local that no
    // longer matches fails here (no field, not a ServerConnector) rather than listening openly.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local's server has no connector");
    for (Connector connector : connectors) ((ServerConnector) connector).setHost("127.0.0.1");
    Handler dynamoDb = server.getHandler();
    server.setHandler(new Handler.Wrapper(dynamoDb) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int refusal = refusal(request.getHeaders().get(HttpHeader.HOST), request.getHeaders().get(HttpHeader.ORIGIN));
        if (refusal == 0) return super.handle(request, response, callback);
        response.setStatus(refusal);
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        return true;
      }
    });
    proxy.start();
  }

  /**
   * First thing, so that a runtime killed while the JVM was still starting is noticed at once (its
   * EOF is already waiting). System.exit runs the shutdown hooks, as the runtime's own SIGTERM does.
   */
  private static void exitWhenInputEnds() {
    Thread watcher = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // The runtime writes nothing: only the end of the stream matters.
        }
      } catch (IOException closed) {
        // A broken pipe means the same as its end.
      }
      System.exit(0);
    }, "exit-with-runtime");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** As local/runtime/loopback-host.ts: 421 for a Host that is not loopback, 403 for a foreign Origin, else 0. */
  static int refusal(String host, String origin) {
    if (!namesLoopback(host)) return 421;
    if (origin == null) return 0;
    try {
      return namesLoopback(URI.create(origin).getRawAuthority()) ? 0 : 403;
    } catch (IllegalArgumentException malformed) {
      return 403;
    }
  }

  /** `host[:port]` or `[v6][:port]` names this machine's loopback. */
  private static boolean namesLoopback(String host) {
    if (host == null) return false;
    String name = (host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']'))) : host.replaceFirst(":\\d+$", "")).toLowerCase();
    return name.equals("127.0.0.1") || name.equals("::1") || name.equals("localhost") || name.endsWith(".localhost");
  }
}

package archive.opensearch;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one real OpenSearch node in this JVM, from the jars on the classpath.
 *
 * <p>One node per process, so that a test can kill a single node of a cluster. Every
 * setting (ports, discovery, paths) is read from {@code HOME/config/opensearch.yml}, which
 * scripts/cluster.py writes; the modules a distribution would load from its {@code modules/}
 * folder are given here as classpath plugins instead: HTTP and transport (Netty 4) and the
 * common analysis filters (elision, snowball, asciifolding...). The node stops cleanly on
 * SIGTERM.
 */
public final class NodeMain {

    /** Node's constructor taking classpath plugins is protected: open it here. */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment) {
            super(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
        }
    }

    private NodeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: NodeMain HOME   (HOME/config/opensearch.yml holds the settings)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        // A distribution's layout: Environment and PluginsService expect these folders.
        for (String dir : List.of("config", "modules", "plugins", "logs", "data")) {
            Files.createDirectories(home.resolve(dir));
        }
        Settings base = Settings.builder().put("path.home", home.toString()).build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                base, Map.of(), home.resolve("config"), () -> "node");
        // Console logging at INFO (log4j2.properties from this jar unless HOME has its own);
        // the script sends each node's output to its own file.
        Path logConfig = home.resolve("config").resolve("log4j2.properties");
        if (Files.notExists(logConfig)) {
            try (InputStream in = NodeMain.class.getResourceAsStream("/log4j2.properties")) {
                Files.copy(in, logConfig);
            }
        }
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);

        Node node = new ClasspathNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "node-shutdown"));
        try {
            node.start();
        } catch (Exception e) {
            // A port taken, a bad setting: end the process (the node's threads would keep
            // the JVM alive) so that the script sees it and shows this log.
            System.err.println("node failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        stopped.await();
    }
}

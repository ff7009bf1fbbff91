package io.vigie.server.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The routes a router answers, as {@code METHOD /path/{param}}: the methods a 405 names in
 * {@code Allow}, and the table the OpenAPI document is checked against.
 */
public final class RouteTable {
    private record Entry(String method, String template, Pattern path) {
    }

    private final List<Entry> entries;

    private RouteTable(List<Entry> entries) {
        this.entries = entries;
    }

    /** The routes with a method and a path of their own (catch-alls, such as {@code /v1/*} handlers, are left out). */
    public static RouteTable of(Router router) {
        List<Entry> entries = new ArrayList<>();
        for (Route route : router.getRoutes()) {
            String path = route.getPath();
            if (path == null || !route.isExactPath() || route.methods() == null) {
                continue;
            }
            String template = path.replaceAll(":([a-z]+)", "{$1}");
            Pattern pattern = Pattern.compile(Pattern.quote(path).replaceAll(":[a-z]+", "\\\\E[^/]+\\\\Q"));
            route.methods().forEach(m -> entries.add(new Entry(m.name(), template, pattern)));
        }
        return new RouteTable(entries);
    }

    /** Every route as {@code METHOD /path/{param}}. */
    public List<String> list() {
        return entries.stream().map(e -> e.method() + " " + e.template()).toList();
    }

    /** The methods a path answers, for {@code Allow}: {@code "GET, POST"}. */
    public String allowed(String path) {
        TreeSet<String> methods = new TreeSet<>();
        for (Entry e : entries) {
            if (e.path().matcher(path).matches()) {
                methods.add(e.method());
            }
        }
        return String.join(", ", methods);
    }
}

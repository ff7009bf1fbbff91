package io.vigie.server;

/** What this build is: the Vigie version its jar was packaged as ("dev" when run from classes), and the Java running it. */
public final class BuildInfo {
    private BuildInfo() {
    }

    public static String version() {
        String version = BuildInfo.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    public static String java() {
        return Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
    }

    /** {@code vigie version}'s answer. */
    public static String describe() {
        return "vigie " + version() + "\njava " + java();
    }
}

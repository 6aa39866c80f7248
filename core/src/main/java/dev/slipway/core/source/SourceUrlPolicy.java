package dev.slipway.core.source;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jgit.transport.URIish;

/**
 * Which hosts a RepositoryUrl may name. A server that fetches whatever URL a caller gives it can be made to reach
 * what only it can reach (its own ports, a cloud's metadata address): {@link #NO_LOCAL}, the default of {@code slipway
 * server}, refuses hosts that are or resolve to a loopback, link-local or wildcard address, or one of the machine's
 * own addresses. Embedded use and {@code slipway up} default to {@link #ANY}. Local paths are ruled by the allowed
 * source directories instead.
 */
public enum SourceUrlPolicy {
    /** Any host the server can reach. */
    ANY,
    /** No loopback, link-local, wildcard or own address. */
    NO_LOCAL;

    /** The policy named {@code any} or {@code no-local}, as {@code --source-url-policy} takes it. */
    public static SourceUrlPolicy parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "any" -> ANY;
            case "no-local" -> NO_LOCAL;
            default -> throw new IllegalArgumentException("the source URL policy must be 'no-local' or 'any' (got '" + name + "')");
        };
    }

    /**
     * Why {@code url} (a Git URL; local paths are not this policy's) may not be fetched, or empty if it may. Host names
     * are resolved now: a name that does not resolve is left to the fetch, which then fails on its own.
     */
    public Optional<String> problem(String url) {
        if (this == ANY || SourceFetcher.localPath(url).isPresent()) {
            return Optional.empty();
        }
        String host = host(url);
        if (host == null || host.isEmpty()) {
            return Optional.of("it names no host this server can check, and this server does not fetch from what it cannot check; write "
                    + "it as scheme://host/path or user@host:path, or start the server with --source-url-policy any");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            String kind = a.isLoopbackAddress() ? "a loopback address" : a.isLinkLocalAddress() ? "a link-local address"
                    : a.isAnyLocalAddress() ? "the wildcard address" : own(a) ? "an address of this server" : null;
            if (kind != null) {
                return Optional.of("its host " + host + " is " + kind + (host.equals(a.getHostAddress()) ? "" : " (" + a.getHostAddress() + ")")
                        + ", which this server does not fetch from; use a Git server's public name, or start the server with"
                        + " --source-url-policy any");
            }
        }
        return Optional.empty();
    }

    /** The host of a Git URL (scheme://host/..., or scp-like user@host:path), without IPv6 brackets; null if none. */
    private static String host(String url) {
        int scheme = url.indexOf("://");
        String host = null;
        if (scheme > 0) {
            try {
                host = new URI(url.substring(0, scheme).toLowerCase(Locale.ROOT) + url.substring(scheme)).getHost();
            } catch (URISyntaxException e) {
                // URIish may read it still (e.g. a host name with an underscore)
            }
        }
        if (host == null) {
            try {
                host = new URIish(url).getHost();
            } catch (URISyntaxException e) {
                return null;
            }
        }
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean own(InetAddress address) {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (Collections.list(nic.getInetAddresses()).stream().anyMatch(address::equals)) {
                    return true;
                }
            }
            return false;
        } catch (SocketException e) {
            return false;
        }
    }
}

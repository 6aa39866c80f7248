package dev.slipway.core.spi;

import com.google.common.net.InetAddresses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Security groups as Slipway defines them: named egress rule sets of its configuration ({@code slipway server
 * --security-group NAME=RULES}), handed to backends as the settings {@code security-group.<name>}. RULES is one or more
 * {@code CIDR[:PORT[-PORT]]} separated by {@code ;}: traffic to that network (on those TCP ports, else any) is allowed,
 * nothing else is (a VPC connector without security groups allows all outbound traffic, as App Runner's default
 * security group does).
 */
public final class SecurityGroups {
    /** The backend settings' prefix. */
    public static final String SETTING = "security-group.";

    private SecurityGroups() {
    }

    /** One allowed destination: a network, and a range of TCP ports (1-65535: any). */
    public record Rule(String cidr, int fromPort, int toPort) {
        public boolean anyPort() {
            return fromPort == 1 && toPort == 65535;
        }
    }

    /** The rules of RULES; throws IllegalArgumentException naming the group and what is wrong. */
    public static List<Rule> parse(String name, String rules) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("security group name '" + name + "' must be 1 to 128 letters, digits, '.', '_' or '-'");
        }
        List<Rule> out = new ArrayList<>();
        for (String part : rules.split(";")) {
            String r = part.trim();
            if (r.isEmpty()) {
                continue;
            }
            int colon = r.indexOf(':');
            String cidr = colon < 0 ? r : r.substring(0, colon);
            int slash = cidr.indexOf('/');
            String address = slash < 0 ? cidr : cidr.substring(0, slash);
            if (!InetAddresses.isInetAddress(address) || address.contains(":")) {
                throw bad(name, r, "an IPv4 network such as 10.0.0.0/8");
            }
            int prefix = slash < 0 ? 32 : number(name, r, cidr.substring(slash + 1), 0, 32);
            int from = 1;
            int to = 65535;
            if (colon >= 0) {
                String ports = r.substring(colon + 1);
                int dash = ports.indexOf('-');
                from = number(name, r, dash < 0 ? ports : ports.substring(0, dash), 1, 65535);
                to = dash < 0 ? from : number(name, r, ports.substring(dash + 1), from, 65535);
            }
            out.add(new Rule(address + "/" + prefix, from, to));
        }
        if (out.isEmpty()) {
            throw bad(name, rules, "at least one rule, CIDR[:PORT[-PORT]], separated by ';'");
        }
        return List.copyOf(out);
    }

    /** The groups defined in a backend's settings, by name. */
    public static Map<String, List<Rule>> fromSettings(Map<String, String> settings) {
        Map<String, List<Rule>> groups = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(SETTING)) {
                String name = k.substring(SETTING.length());
                groups.put(name, parse(name, v));
            }
        });
        return groups;
    }

    private static int number(String name, String rule, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw bad(name, rule, "numbers from " + min + " to " + max + " where '" + text + "' is");
    }

    private static IllegalArgumentException bad(String name, String rule, String wanted) {
        return new IllegalArgumentException("security group " + name + ": '" + rule + "' is not a rule; expected " + wanted);
    }
}

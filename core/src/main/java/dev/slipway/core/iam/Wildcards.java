package dev.slipway.core.iam;

/**
 * IAM's wildcards: {@code *} matches any run of characters (slashes and colons too), {@code ?} any one; a backslash
 * makes the next character literal (how a policy variable's value, or {@code ${*}}, is put into a pattern).
 */
final class Wildcards {
    private Wildcards() {
    }

    static boolean matches(String pattern, String text, boolean ignoreCase) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (p < pattern.length() && pattern.charAt(p) == '?') {
                p++;
                t++;
            } else if (p < pattern.length() && same(literal(pattern, p), text.charAt(t), ignoreCase)) {
                p += pattern.charAt(p) == '\\' && p + 1 < pattern.length() ? 2 : 1;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static char literal(String pattern, int p) {
        return pattern.charAt(p) == '\\' && p + 1 < pattern.length() ? pattern.charAt(p + 1) : pattern.charAt(p);
    }

    private static boolean same(char a, char b, boolean ignoreCase) {
        return a == b || ignoreCase && Character.toLowerCase(a) == Character.toLowerCase(b);
    }

    /** {@code text} as a pattern that matches exactly it. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** A pattern (escapes kept) with its wildcards made literal too: what the Equals operators compare with. */
    static String escapeLiteral(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                out.append(c).append(pattern.charAt(++i));
            } else {
                if (c == '*' || c == '?') {
                    out.append('\\');
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code text} (a part of a pattern) with its backslashes literal. */
    static String escapeBackslashes(String text) {
        return text.replace("\\", "\\\\");
    }
}

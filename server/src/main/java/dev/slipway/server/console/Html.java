package dev.slipway.server.console;

/** HTML text: escaping, and the page every console screen is laid out in. */
final class Html {
    private Html() {
    }

    /** {@code s} as HTML text or an attribute value (quoted). */
    static String esc(Object s) {
        String text = String.valueOf(s == null ? "" : s);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A whole page: {@code title}, the signed-in principal and its sign-out form (when signed in), a message shown once
     * ({@code flash}), then {@code body}. Styles and scripts are files of the console itself (the content security
     * policy allows nothing else).
     */
    static String page(String title, String principal, String csrf, String flash, String body) {
        StringBuilder h = new StringBuilder(4096 + body.length());
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" · Slipway</title>")
                .append("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
                .append("<script type=\"module\" src=\"/console/static/console.js\"></script></head><body>")
                .append("<header><a class=\"brand\" href=\"/console/services\">Slipway</a>");
        if (principal != null) {
            h.append("<nav aria-label=\"Main\"><a href=\"/console/services\">Services</a>")
                    .append("<a href=\"/console/auto-scaling\">Auto scaling</a></nav>")
                    .append("<form method=\"post\" action=\"/console/sign-out\" class=\"who\">")
                    .append(csrfField(csrf)).append("<span>Signed in as <strong id=\"principal\">").append(esc(principal))
                    .append("</strong></span> <button type=\"submit\">Sign out</button></form>");
        }
        h.append("</header><main id=\"main\">");
        if (flash != null && !flash.isBlank()) {
            h.append("<p class=\"flash\" role=\"status\" id=\"flash\">").append(esc(flash)).append("</p>");
        }
        return h.append("<h1>").append(esc(title)).append("</h1>").append(body).append("</main></body></html>").toString();
    }

    static String csrfField(String csrf) {
        return csrf == null ? "" : "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf) + "\">";
    }
}

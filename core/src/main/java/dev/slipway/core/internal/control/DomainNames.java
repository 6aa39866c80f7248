package dev.slipway.core.internal.control;

import com.google.common.net.InternetDomainName;
import dev.slipway.core.InvalidRequestException;
import java.util.Locale;

/** The domain names AssociateCustomDomain accepts, as the guide describes them. */
final class DomainNames {
    private DomainNames() {
    }

    /**
     * A domain name as the guide allows it, lower case without a trailing dot: a root domain, a subdomain, or a wildcard
     * {@code *.<root domain>} (only the immediate subdomain of a root domain, and on its own: not {@code login*.x.com}
     * or {@code *.login.example.com}); never a name under the base domain, which is Slipway's own.
     */
    static String check(String value, String field, String baseDomain) {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException(field + " is required: a domain such as example.com, login.example.com or *.example.com");
        }
        String name = value.trim().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        boolean wildcard = name.startsWith("*.");
        String domain = wildcard ? name.substring(2) : name;
        if (name.length() > 255 || domain.contains("*") || !InternetDomainName.isValid(domain) || !domain.contains(".")) {
            throw new InvalidRequestException(field + " '" + value + "' is not a domain name that can be associated: give a "
                    + "root domain (example.com), a subdomain (login.example.com) or a wildcard of a root domain (*.example.com)");
        }
        InternetDomainName parsed = InternetDomainName.from(domain);
        if (parsed.isPublicSuffix()) {
            throw new InvalidRequestException(field + " '" + value + "' is a public suffix, which nobody owns; give a domain under it");
        }
        if (wildcard && (parsed.isUnderPublicSuffix() ? !parsed.isTopPrivateDomain() : parsed.parts().size() > 2)) {
            throw new InvalidRequestException(field + " '" + value + "': a wildcard can only be the immediate subdomain of a "
                    + "root domain (*.example.com, not *.login.example.com); associate the subdomains one by one instead");
        }
        if (domain.equals(baseDomain) || domain.endsWith("." + baseDomain)) {
            throw new InvalidRequestException(field + " '" + value + "' is under " + baseDomain + ", the base domain of "
                    + "services' own domains; associate a domain of yours");
        }
        return name;
    }

}

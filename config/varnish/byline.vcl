vcl 4.1;
# Varnish in front of Byline: readers' pages served without entering Python, dropped exactly
# when what they show changes. For Debian's varnish and varnish-modules (xkey), 7.x.
#
#   varnishd -a :80 -f /path/to/byline/config/varnish/byline.vcl -s malloc,256m
#
# Byline marks every page it lets shared caches keep with `Cache-Control: public, s-maxage=N`
# and an `xkey` header naming what the page shows (an article, an author, a tag, a list…).
# When something changes, Byline sends `PURGE` with those names in an `xkey` header to every
# address in FRONT_CACHE_PURGE_URLS, and this VCL drops every page that carries one of them.
# README.md, "Caching", says the rest.

import std;
import xkey;

# gunicorn, as config/gunicorn.conf.py binds it by default.
backend byline {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: Byline's own servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "PURGE needs an xkey header"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    # After a release: drop every page (`manage.py purge_front_cache`).
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        ban("obj.status != 0");
        return (synth(200, "Banned every page"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Per reader by design: the admin, and the comment form's check (it sets the reader's own
    # form cookie, comments/form_check.py).
    if (req.url ~ "^/admin/" || req.url ~ "^/comments/form-check/") {
        return (pass);
    }
    # Staff, readers with saved details or a proven address, and a page right after posting
    # (its message) are answered per reader by Byline: never from the shared cache.
    # The names are Django's session and messages cookies and Byline's own
    # (tests/test_front_cache.py checks them against the settings).
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages|byline_commenter|byline_proof)=") {
        return (pass);
    }
    # Every other cookie (analytics, an old CSRF cookie) changes nothing on a reader's page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Byline says what may be shared: anything else (a response setting a cookie, private or
    # no-store answers, the admin) follows Varnish's built-in rules and is not kept.
    if (beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    # The keys are for this cache alone.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}

"""The client's address when the site runs behind reverse proxies.

Behind a proxy, REMOTE_ADDR is the proxy's address, and the client's is in X-Forwarded-For,
where each proxy appends the address it received the request from. The client can send the
header too, with whatever it likes in it, so only the hops that trusted proxies wrote count:

- `TRUSTED_PROXY_COUNT = n`: the request passes `n` proxies, so the n-th address from the right
  is the one the outermost proxy saw, the client's. Anything left of it is the client's own.
- `TRUSTED_PROXY_NETWORKS = [...]`: the proxies' networks. A request from anywhere else came
  straight in and is taken as it is; from a proxy, the right-most hop outside the networks is
  the client's.

The middleware replaces REMOTE_ADDR with that address, first thing, so flood limits, IP rules,
stored comment IPs and login throttling all see the client without knowing about proxies. With
neither setting the header is ignored. A hop that is no IP address (`unknown`, an obfuscated
RFC 7239 name, garbage) where the client's address should be leaves REMOTE_ADDR as it was.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
FORWARDED_PROTO = "HTTP_X_FORWARDED_PROTO"


def parse_address(value):
    """An `ipaddress` address from one hop, or None when it is not one.

    Hops may carry a port (`203.0.113.7:4711`, `[2001:db8::7]:4711`); an IPv4 client seen by
    an IPv6 socket (`::ffff:203.0.113.7`) is its IPv4 address.
    """
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def trusted_networks(values):
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXY_NETWORKS: {value!r} is not an IP network "
                "(e.g. 10.0.0.0/8 or fd00::/8)."
            ) from None
    return networks


class ClientAddressMiddleware:
    """Put the client's address in REMOTE_ADDR, as the trusted proxies saw it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.count = settings.TRUSTED_PROXY_COUNT
        self.networks = trusted_networks(settings.TRUSTED_PROXY_NETWORKS)
        if self.count < 0:
            raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {self.count}.")
        if self.count and self.networks:
            raise ImproperlyConfigured(
                "Set TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS, not both."
            )

    def __call__(self, request):
        if self.count:
            client = self.client_by_count(request.META)
        elif self.networks:
            client = self.client_by_network(request.META)
        else:
            client = None
        if client is not None:
            request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)

    @staticmethod
    def hops(meta):
        return [hop for hop in meta.get(FORWARDED_FOR, "").split(",") if hop.strip()]

    def client_by_count(self, meta):
        hops = self.hops(meta)
        if len(hops) < self.count:
            return None
        return parse_address(hops[-self.count])

    def is_trusted(self, address):
        return address is not None and any(address in network for network in self.networks)

    def client_by_network(self, meta):
        if not self.is_trusted(parse_address(meta.get("REMOTE_ADDR", ""))):
            # Straight from the client: nothing it says about proxies is true.
            meta.pop(FORWARDED_PROTO, None)
            return None
        address = None
        for hop in reversed(self.hops(meta)):
            address = parse_address(hop)
            if not self.is_trusted(address):
                return address
        return address

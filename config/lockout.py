"""The page a sign-in gets while django-axes has locked it out.

Failed admin sign-ins are counted per (username, IP address) pair (AXES_LOCKOUT_PARAMETERS in
the settings). After AXES_FAILURE_LIMIT failures in a row, that pair is refused, even with the
right password, until AXES_COOLOFF_TIME has passed since its latest attempt; each attempt in the
meantime starts the wait again. The same account signs in normally from any other address, and
other accounts from the same address, so an attacker can lock out only their own guessing.

For IPv6 the address counted is the client's /64 network (`client_network`): one subscriber
usually holds a whole /64, and counting each of its addresses apart would give an attacker
billions of fresh starts.

An administrator lifts a lock early by deleting the attempt under "Axes › Access attempts" in
the admin, or with `manage.py axes_reset_username USERNAME` (`axes_reset_ip IP`, `axes_reset`
for every lock; `axes_list_attempts` shows them).
"""

import ipaddress

from axes.helpers import get_cool_off
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LOCKED_OUT_STATUS = 429


def lockout_response(request, original_response, credentials):
    cool_off = get_cool_off(request)
    attempted_at = getattr(request, "axes_attempt_time", None) or timezone.now()
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "minutes": round(cool_off.total_seconds() / 60),
        "retry_at": attempted_at + cool_off,
    }
    response = render(request, "admin/lockout.html", context, status=LOCKED_OUT_STATUS)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    add_never_cache_headers(response)
    return response


def client_network(request):
    """The client's address as sign-in failures count it: IPv4 as it is, IPv6 as its /64.

    Reads REMOTE_ADDR, which carries the real client's address behind trusted proxies.
    """
    address = request.META.get("REMOTE_ADDR") or None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)

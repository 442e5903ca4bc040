"""Which webhook URLs we send to: the guard against server-side request forgery.

A webhook URL is typed by a user, and the worker that calls it sits inside our
network, beside the database, Redis and the cloud's metadata service. So it is
checked twice: when it is saved (`check_webhook_url`: its shape, and hosts that
are plainly local), and before every send (`resolve_webhook_target`: every address
its host resolves to at that moment, which the sender then connects to). Hosts in
`allowed_hosts` (WEBHOOK_ALLOWED_HOSTS) pass anyway, for internal receivers; in
development everything passes, so a developer's receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import TypeAlias

import httpx

MAX_URL_LENGTH = 2000
# Special-use names (RFC 6761 localhost, RFC 6762 local, RFC 8375 home.arpa, ICANN's
# private-use internal, where metadata.google.internal lives) and many distributions'
# default domain: never a public receiver, whatever DNS says today.
LOCAL_DOMAINS = ("localhost", "local", "internal", "home.arpa", "localdomain")
# Carrier-grade NAT: not private by RFC 1918, not reachable from the internet either.
SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")

_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*", re.ASCII)

IPAddress: TypeAlias = IPv4Address | IPv6Address


class UnsafeWebhookUrl(ValueError):
    """A webhook URL we refuse to call; the message is written for the user who gave it."""


def check_webhook_url(url: str, *, development: bool, allowed_hosts: tuple[str, ...]) -> str:
    """The URL to store for `url`, normalised, or UnsafeWebhookUrl saying what is wrong.

    This looks at the URL only; a host name that resolves to a private address is
    refused when it is called (`resolve_webhook_target`).
    """
    parsed = _parse(url)
    if development:
        return str(parsed)
    if parsed.scheme != "https":
        raise UnsafeWebhookUrl("A webhook URL must start with https://.")
    host = _host_name(parsed)
    if _is_allowed_name(host, allowed_hosts):
        return str(parsed)
    address = _literal_address(host)
    if address is not None:
        if not (_is_public(address) or _is_allowed_address(address, allowed_hosts)):
            raise UnsafeWebhookUrl(
                f"The webhook URL points to a private or local address ({host}); "
                "it must be reachable from the internet."
            )
    elif "." not in host or _in_local_domain(host):
        # A name without a dot is completed with the resolver's search domains: "redis"
        # or "metadata" would reach our own services.
        raise UnsafeWebhookUrl(
            f"The webhook URL's host {host} is a local or internal name; "
            "it must be reachable from the internet."
        )
    return str(parsed)


async def resolve_webhook_target(
    url: str, *, development: bool, allowed_hosts: tuple[str, ...]
) -> list[str]:
    """The addresses `url`'s host resolves to now, or UnsafeWebhookUrl when any of them
    is not a public one (outside development, and unless the host is allowed).

    The sender connects to one of these, so the answer checked is the answer used.
    Raises OSError (socket.gaierror) when the name does not resolve.
    """
    parsed = _parse(url)
    host = _host_name(parsed)
    # The raw host, so "example.com." stays absolute (no search domains).
    infos = await asyncio.get_running_loop().getaddrinfo(
        parsed.raw_host.decode("ascii"), parsed.port, type=socket.SOCK_STREAM
    )
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if development or _is_allowed_name(host, allowed_hosts):
        return addresses
    for resolved in addresses:
        address = _unmapped(ipaddress.ip_address(resolved))
        if not (_is_public(address) or _is_allowed_address(address, allowed_hosts)):
            # Not which address: that would map our internal DNS for whoever asks.
            raise UnsafeWebhookUrl(
                f"The webhook host {host} resolves to a private or local address; "
                "it must be reachable from the internet."
            )
    return addresses


def _parse(url: str) -> httpx.URL:
    """`url` parsed by the parser that sends it, so the check and the request agree on
    what the host is; fragments are never sent, so they are dropped."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeWebhookUrl(f"A webhook URL can be at most {MAX_URL_LENGTH:,} characters.")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeWebhookUrl("The webhook URL is not a valid URL.") from exc
    if parsed.scheme not in {"http", "https"}:
        raise UnsafeWebhookUrl("A webhook URL must start with https:// (or http://).")
    if not parsed.raw_host:
        raise UnsafeWebhookUrl("The webhook URL has no host name.")
    if parsed.userinfo:
        # They would end up in logs; webhook requests are signed instead.
        raise UnsafeWebhookUrl("A webhook URL cannot hold a user name or password.")
    host = _host_name(parsed)
    if _literal_address(host) is None and not _HOST_NAME.fullmatch(host):
        raise UnsafeWebhookUrl("The webhook URL is not a valid URL.")
    return parsed.copy_with(fragment=None)


def _host_name(parsed: httpx.URL) -> str:
    """The host as names are compared: ASCII (IDNA), lower case, no final dot."""
    return parsed.raw_host.decode("ascii").lower().removesuffix(".")


def _literal_address(host: str) -> IPAddress | None:
    try:
        return _unmapped(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        # The resolver also reads "2130706433", "0x7f.1" and "127.1" as 127.0.0.1.
        return IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _in_local_domain(host: str) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in LOCAL_DOMAINS)


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:10.0.0.1 is 10.0.0.1 on the wire, and is judged as such."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, IPv6Address):
        if address.sixtofour is not None:
            return _is_public(address.sixtofour)
        if address.is_site_local:
            return False
    # is_global alone would nearly do, but its tables have changed between Python
    # releases, and it counts multicast as global: the ranges that must never pass
    # are named too.
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address in SHARED_ADDRESS_SPACE
    )


def _is_allowed_name(host: str, allowed_hosts: tuple[str, ...]) -> bool:
    return any(host == entry.strip().lower().removesuffix(".") for entry in allowed_hosts)


def _is_allowed_address(address: IPAddress, allowed_hosts: tuple[str, ...]) -> bool:
    return any(address in network for network in _allowed_networks(allowed_hosts))


def _allowed_networks(allowed_hosts: tuple[str, ...]) -> list[IPv4Network | IPv6Network]:
    networks: list[IPv4Network | IPv6Network] = []
    for entry in allowed_hosts:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # a host name, matched by _is_allowed_name
    return networks

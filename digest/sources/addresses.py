"""Which hosts and ports a fetch may connect to: the address policy against SSRF.

Observations
------------
A feed URL is user input and every redirect ``Location`` is hostile input.
Left alone, an HTTP client will happily fetch ``http://169.254.169.254/``
(cloud metadata), ``http://localhost:6379/`` or a host whose DNS name
points at ``10.0.0.1``.  Allowing a private host for one local feed must not
open every service of that host: a feed on ``127.0.0.1:8080`` that
redirects to ``127.0.0.1:6379`` reaches Redis.

How it works
------------
:class:`AddressPolicy` decides whether an address may be contacted:
private, loopback, link-local, multicast, reserved, unspecified and other
non-global addresses (also IPv4 written inside IPv6: ``::ffff:10.0.0.1``,
6to4) are refused unless ``allow_hosts`` names the host, its address, or a
network containing it (``"10.1.0.0/16"``), and the port.

Ports: an entry may name one (``127.0.0.1:8080``, ``[::1]:8080``,
``intranet.example:8443``, ``10.1.0.0/16:8080``), and then allows that port
only.  An entry without one allows its host on the ports 80 and 443, and on
the port of the source's own URL when the connection is to that URL's host
(the user wrote that URL: ``http://127.0.0.1:8080/feed`` with
``127.0.0.1`` allowed is fetched).  Every redirect hop is checked the same
way against the *first* URL of the fetch (:func:`origin_scope`, set by
``digest.sources.fetch``), so a feed on ``127.0.0.1:8080`` redirecting to
``127.0.0.1:6379`` is refused unless ``127.0.0.1:6379`` is listed.  Public
addresses are allowed on any port.  This machine's names (``localhost``, ``127.0.0.1``,
``::1``) are one host here: ``127.0.0.1:8080`` redirecting to ``localhost:8080``, both allowed,
is the source's own port.

Links from content: a fetch's origin is the URL the user configured, also
when the URL fetched came from a feed (a full-text item link, the feed a
page links: ``FetchRequest.origin``).  A private address is reached from
another host than the origin's only when the origin itself is private
(:func:`origin_is_private`): an intranet feed's links may lead to intranet
pages, a public feed's links and redirects never lead past the firewall,
whatever ``allow_hosts`` lets the user's own URLs reach.  A link in a local
file has no host of its own (origin ``""``): it reaches public addresses only.

:func:`check_host` resolves a name and keeps the addresses the policy
allows; ``digest.sources.netguard`` calls it where the connection is made.

Special cases
-------------
* ``check_host`` outside a fetch (no :func:`origin_scope`) lets an entry
  without a port allow any port, as before ports were read.
* A bare IPv6 address has no port (``::1``); give one in brackets
  (``[::1]:8080``).  A bad entry is a configuration error naming it.
* Whether an origin named by a host name is private is read from its
  addresses (one more lookup, only when a hop to another, private host is
  about to be allowed); a feed whose owner controls its DNS can answer that
  lookup with a private address, as it can the connection's own lookup.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from urllib.parse import urlsplit

from ..text.identity import names_this_machine

Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(Exception):
    """The host resolves only to addresses the policy refuses."""

    def __init__(
        self,
        host: str,
        addresses: Sequence[str],
        port: int | None = None,
        *,
        public_origin: str | None = None,
    ) -> None:
        shown = ", ".join(addresses[:3]) + (", ..." if len(addresses) > 3 else "")
        if list(addresses) == [host]:
            text = f"{host} is a private or reserved address"
        else:
            text = f"{host} resolves only to private or reserved addresses ({shown})"
        if public_origin is not None:
            where = f"from the public host {public_origin}" if public_origin else "from a local file"
            text += f", reached {where}: only a source on a private host may lead to one"
        elif port is not None:
            text += f", not allowed on port {port}"
        super().__init__(text)
        self.host = host
        self.addresses = list(addresses)
        #: Set when the address is refused because the fetch began on a public host (or a file).
        self.public_origin = public_origin


class ResolveFailed(Exception):
    """The host name could not be resolved.  ``dns``: the resolver's own answer (``reason`` a
    few words, :func:`dns_reason`), said "cannot find the host H (DNS: no such name)"; else
    another failure (a name that cannot be encoded), said as before."""

    def __init__(self, host: str, reason: str, *, dns: bool = False) -> None:
        super().__init__(f"cannot find the host {host} (DNS: {reason})" if dns
                         else f"cannot resolve host {host}: {reason}")
        self.host = host


#: The resolver's answers in words, by ``getaddrinfo``'s code (``EAI_*``; those a platform
#: lacks are left out): "[Errno -2] Name or service not known" was shown as it came.
_DNS_SAID = {
    getattr(socket, name): said
    for name, said in (
        ("EAI_NONAME", "no such name"),
        ("EAI_NODATA", "the name has no address"),
        ("EAI_ADDRFAMILY", "the name has no address"),
        ("EAI_AGAIN", "no answer: the name server did not reply, or there is no network"),
        ("EAI_FAIL", "the name server failed"),
    )
    if hasattr(socket, name)
}


def dns_reason(exc: socket.gaierror) -> str:
    """The resolver's failure in a few words ("no such name"), without its "[Errno -2]"."""
    return _DNS_SAID.get(exc.errno) or str(exc.strerror or exc).strip().lower()


def system_resolve(host: str, port: int) -> list[str]:
    """Resolve with the system resolver; unique addresses in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ResolveFailed(host, dns_reason(exc), dns=True) from None
    except (UnicodeError, OSError) as exc:
        raise ResolveFailed(host, str(exc)) from None
    out: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        if addr not in out:
            out.append(addr)
    return out


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_public(embedded)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


#: Ports an ``allow_hosts`` entry without a port allows besides the source URL's own.
DEFAULT_PORTS = frozenset({80, 443})

#: ``(host, port)`` of the first URL of the fetch under way (see :func:`origin_scope`).
Origin = tuple[str, int]
_origin: ContextVar[Origin | None] = ContextVar("digest_fetch_origin", default=None)


def _norm(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def _same_host(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` (each ``_norm``'d) name one host: the same name, or both this
    machine (``localhost``, ``127.0.0.1``, ``::1`` however spelt: a local feed's server
    redirecting from ``127.0.0.1:8080`` to ``localhost:8080`` stays on its own port)."""
    return a == b or (names_this_machine(a) and names_this_machine(b))


def origin_of(host: str, port: int) -> Origin:
    """The origin of a fetch whose first URL is on ``host``:``port``."""
    return _norm(host), port


@contextlib.contextmanager
def origin_scope(host: str, port: int) -> Iterator[None]:
    """Within this block, connections are judged as hops of a fetch that began at host:port."""
    token = _origin.set(origin_of(host, port))
    try:
        yield
    finally:
        _origin.reset(token)


def current_origin() -> Origin | None:
    return _origin.get()


def parse_allow_entry(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port``, ``net/len:port`` -> (host or net, port or None).

    A bare IPv6 address or network (two colons or more) has no port; write
    ``[::1]:8080`` to give one.  ValueError names a bad entry.
    """
    text = entry.strip().lower()
    port_text: str | None = None
    if text.startswith("["):
        end = text.find("]")
        rest = text[end + 1 :] if end > 0 else "?"
        if rest and not rest.startswith(":"):
            raise ValueError(f"allow_hosts entry {entry!r}: expected [address]:port")
        host, port_text = text[1:end], (rest[1:] if rest else None)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text
    host = host.rstrip(".")
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"allow_hosts entry {entry!r}: no host")
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"allow_hosts entry {entry!r}: the port must be 1 to 65535")
    return host, int(port_text)


class AddressPolicy:
    """Which hosts/addresses may be contacted, on which ports.

    ``allow_hosts`` entries are host names (matched case-insensitively, no
    wildcard), IP addresses, or networks in CIDR notation, each optionally
    with a port (see the module docstring).
    """

    def __init__(self, *, block_private: bool = True, allow_hosts: Iterable[str] = ()) -> None:
        self.block_private = block_private
        self._names: list[tuple[str, int | None]] = []
        self._nets: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]] = []
        for item in allow_hosts:
            host, port = parse_allow_entry(item)
            try:
                self._nets.append((ipaddress.ip_network(host, strict=False), port))
            except ValueError:
                self._names.append((host, port))

    @classmethod
    def from_config(cls, config: typing.Any) -> AddressPolicy:
        """From a :class:`digest.config.FetchConfig` (duck-typed)."""
        return cls(block_private=config.block_private, allow_hosts=config.allow_hosts)

    @staticmethod
    def _port_ok(
        allowed: int | None, host: str, port: int | None, origin: Origin | None
    ) -> bool:
        if port is None or allowed == port:
            return True
        if allowed is not None:
            return False
        return origin is None or port in DEFAULT_PORTS or (origin[1] == port and _same_host(origin[0], _norm(host)))

    def lists_name(self, host: str) -> bool:
        """Whether an entry names ``host`` (on any port): the user said it is theirs."""
        return any(n == _norm(host) for n, _ in self._names)

    def host_exempt(self, host: str, port: int | None = None, origin: Origin | None = None) -> bool:
        if not self.block_private:
            return True
        name = _norm(host)
        return any(n == name and self._port_ok(p, host, port, origin) for n, p in self._names)

    def address_ok(
        self,
        address: str,
        port: int | None = None,
        host: str | None = None,
        origin: Origin | None = None,
    ) -> bool:
        """Whether ``address`` may be contacted on ``port`` (None: any port) for ``host``."""
        ip = _ip(address)
        if ip is None:
            return False
        if is_public(ip) or not self.block_private:
            return True
        return any(
            ip in net and self._port_ok(p, host or address, port, origin) for net, p in self._nets
        )

    def filter(
        self,
        host: str,
        addresses: Sequence[str],
        port: int | None = None,
        origin: Origin | None = None,
    ) -> list[str]:
        """The addresses of ``host`` that may be contacted; BlockedAddress if none."""
        if not addresses:
            raise ResolveFailed(host, "the name has no address", dns=True)
        if self.host_exempt(host, port, origin):
            return list(addresses)
        ok = [a for a in addresses if self.address_ok(a, port, host, origin)]
        if not ok:
            raise BlockedAddress(host, addresses, port)
        return ok


#: Names of no public DNS (RFC 6762 appendix G, RFC 8375, "localhost"): a feed on such a host is
#: on the user's own network, and refused until ``allow_hosts`` names it.
PRIVATE_SUFFIXES = ("localhost", ".localhost", ".local", ".lan", ".home", ".home.arpa", ".internal",
                    ".intranet", ".private", ".corp")


def refused_hosts(urls: Iterable[str], policy: AddressPolicy) -> list[str]:
    """The hosts of ``urls`` the policy will refuse, told without a lookup: a private address
    written in the URL, or a name no public DNS holds (``nas.local``, ``localhost``), that
    ``allow_hosts`` does not name.  An import of a reader's list tells its user before the
    first run fails on each (stop 55); a public name resolving to a private address is told by
    that run."""
    out: list[str] = []
    if not policy.block_private:
        return out
    for url in urls:
        try:
            parts = urlsplit(url)
            host, port = _norm(parts.hostname or ""), parts.port
        except ValueError:
            continue
        ip = _ip(host)
        private = (not is_public(ip)) if ip is not None else host.endswith(PRIVATE_SUFFIXES)
        if (host and private and not policy.host_exempt(host, port)
                and not (ip is not None and policy.address_ok(host, port)) and host not in out):
            out.append(host)
    return out


_UNSET: typing.Any = object()


def check_host(
    policy: AddressPolicy,
    host: str,
    port: int,
    resolver: Resolver = system_resolve,
    origin: Origin | None = _UNSET,
) -> list[str]:
    """Resolve ``host`` and return the addresses the policy allows on ``port`` (or raise).

    ``origin`` defaults to the fetch under way (:func:`origin_scope`); pass it
    where the context does not follow (a worker thread).
    """
    if origin is _UNSET:
        origin = _origin.get()
    if policy.host_exempt(host, port, origin):
        allowed = [host]
    else:
        literal = _ip(host)
        addresses = [str(literal)] if literal is not None else list(resolver(host, port))
        allowed = policy.filter(host, addresses, port, origin)
    if not policy.block_private or origin is None or _norm(host) == origin[0]:
        return allowed  # the user's own URL's host: allow_hosts alone decides
    public = [a for a in allowed if (ip := _ip(a)) is not None and is_public(ip)]
    if len(public) == len(allowed) or origin_is_private(policy, origin, resolver):
        return allowed
    if public:
        return public
    raise BlockedAddress(host, allowed, port, public_origin=origin[0])


def origin_is_private(policy: AddressPolicy, origin: Origin, resolver: Resolver = system_resolve) -> bool:
    """Whether the host a fetch began on (the URL the user configured) is itself private: a
    non-public address, a name ``allow_hosts`` lists, or a name all of whose addresses are
    non-public.  The empty host (a link in a local file) and a name that does not resolve are
    not: their links reach public addresses only."""
    host = origin[0]
    if not host:
        return False
    literal = _ip(host)
    if literal is not None:
        return not is_public(literal)
    if policy.lists_name(host):
        return True
    try:
        found = [_ip(a) for a in resolver(host, origin[1])]
    except ResolveFailed:
        return False
    return bool(found) and all(ip is not None and not is_public(ip) for ip in found)

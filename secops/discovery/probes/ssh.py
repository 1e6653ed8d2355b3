"""SSH: the algorithms a server offers and the ways it lets users authenticate
(nmap ssh2-enum-algos and ssh-auth-methods)."""

from __future__ import annotations

from typing import Any

from secops.discovery import nmap_runner

# What the probe reports as weak: SHA-1 or 1024-bit key exchange, CBC/3DES/RC4/Blowfish/CAST
# ciphers, MD5 and truncated-SHA-1 MACs, DSA and SHA-1 RSA host-key signatures, no cipher or MAC.
WEAK_SSH_ALGORITHMS: tuple[str, ...] = (
    # key exchange
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
    "rsa1024-sha1",
    # ciphers
    "3des-cbc",
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "rijndael-cbc@lysator.liu.se",
    "blowfish-cbc",
    "cast128-cbc",
    "des-cbc",
    "arcfour",
    "arcfour128",
    "arcfour256",
    "none",
    # MACs
    "hmac-md5",
    "hmac-md5-96",
    "hmac-md5-etm@openssh.com",
    "hmac-md5-96-etm@openssh.com",
    "hmac-sha1-96",
    "hmac-sha1-96-etm@openssh.com",
    # host keys
    "ssh-dss",
    "ssh-dss-cert-v01@openssh.com",
    "ssh-rsa",
    "ssh-rsa-cert-v01@openssh.com",
)
# Names not in the list that are weak by construction (vendor variants of the above).
WEAK_FRAGMENTS = ("-cbc", "arcfour", "md5", "sha1-96", "group1-sha1", "group14-sha1", "exchange-sha1", "gex-sha1")
FIELDS = {
    "kex_algorithms": "kex",
    "encryption_algorithms": "ciphers",
    "mac_algorithms": "macs",
    "server_host_key_algorithms": "host_keys",
}
SSH_PORT = 22


def is_weak(algorithm: str) -> bool:
    return algorithm in WEAK_SSH_ALGORITHMS or any(fragment in algorithm for fragment in WEAK_FRAGMENTS)


def ssh_port(services: list[dict[str, Any]]) -> int | None:
    """The SSH service to probe: port 22 when it is SSH, else the lowest port named ssh."""
    ports = sorted(
        int(s["port"])
        for s in services
        if s.get("proto", "tcp") == "tcp" and (str(s.get("name") or "").lower() == "ssh" or int(s["port"]) == SSH_PORT)
    )
    return ports[0] if ports else None


def probe_ssh(address: str, services: list[dict[str, Any]], *, timeout: float) -> dict[str, Any] | None:
    port = ssh_port(services)
    if port is None:
        return None
    results = nmap_runner.run_scripts(
        address,
        [port],
        ["ssh2-enum-algos", "ssh-auth-methods"],
        budget=max(10.0, timeout * 3),
    )
    if results is None:
        return None
    return parse_ssh([r for r in results if r.port == port], port)


def parse_ssh(results: list[nmap_runner.ScriptResult], port: int) -> dict[str, Any] | None:
    """The ``ssh`` fact from the two scripts' outputs on one port; None when neither answered."""
    by_script = {r.script: r for r in results}
    fact: dict[str, Any] = {"port": port}
    algos = by_script.get("ssh2-enum-algos")
    if algos is not None and nmap_runner.table(algos.element, "kex_algorithms") is not None:
        for table_key, name in FIELDS.items():
            fact[name] = nmap_runner.elems(nmap_runner.table(algos.element, table_key))
        offered = [a for name in FIELDS.values() for a in fact[name]]
        fact["weak_algorithms"] = list(dict.fromkeys(a for a in offered if is_weak(a)))
    methods = by_script.get("ssh-auth-methods")
    listed = nmap_runner.table(methods.element, "Supported authentication methods") if methods is not None else None
    if listed is not None:
        fact["auth_methods"] = nmap_runner.elems(listed)
        # keyboard-interactive is how PAM asks for a password on most Linux servers.
        fact["password_auth"] = bool({"password", "keyboard-interactive"} & set(fact["auth_methods"]))
    return fact if len(fact) > 1 else None

"""The Linux host collector: the real linux.sh run over fixture trees, the parser, local and SSH runs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secops.discovery.collect import CollectorUnavailable, collect_local, collect_ssh, linux_facts, parse_sections
from secops.discovery.collect.linux import SSHD_DEFAULTS
from secops.discovery.collect.run import CollectorInputError, script_text, ssh_command

FIXTURES = Path(__file__).parent.parent / "fixtures" / "linux"
# What linux.sh itself needs besides the stub commands each fixture brings.
TOOLS = ("awk", "cat", "date", "grep", "id", "sort", "stat", "timeout")
SH = shutil.which("sh") or "/bin/sh"
DAY = 86400


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """A PATH directory with only the basic tools, so no real systemctl, sshd or nft answers for a fixture."""
    directory = tmp_path / "tools"
    directory.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (directory / tool).symlink_to(found)
    return directory


def host_tree(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A copy of fixture ``name``: (root tree, directory of stub commands)."""
    copy = tmp_path / name
    shutil.copytree(FIXTURES / name, copy, symlinks=True)
    return copy / "root", copy / "bin"


def run_script(root: Path, *path: Path, commands: bool = True) -> str:
    env = {"PATH": os.pathsep.join(map(str, path)), "SECOPS_ROOT": str(root), "LC_ALL": "C"}
    if commands:
        env["SECOPS_COMMANDS"] = "1"
    result = subprocess.run([SH, "-s"], input=script_text(), capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0
    assert result.stderr == ""
    return result.stdout


def test_hardened_host(tmp_path: Path, tools: Path) -> None:
    root, stubs = host_tree(tmp_path, "hardened")
    now = time.time()
    os.utime(root / "var/lib/clamav/daily.cld", (now - DAY - 60, now - DAY - 60))
    os.utime(root / "var/lib/clamav/main.cvd", (now - 40 * DAY, now - 40 * DAY))

    facts = linux_facts(parse_sections(run_script(root, stubs, tools)))

    assert facts == {
        "login_defs": {"pass_max_days": 90, "pass_min_days": 1, "pass_min_len": 12, "pass_warn_age": 14},
        # pwquality.conf, then conf.d overrides it
        "pwquality": {"enabled": True, "minlen": 12, "minclass": 3, "dcredit": -1, "ucredit": -1, "lcredit": -1,
                      "ocredit": -1},
        # faillock.conf says 600, the PAM line's unlock_time=900 overrides it
        "faillock": {"enabled": True, "deny": 5, "unlock_time": 900},
        "sshd": {
            "permitrootlogin": "no", "passwordauthentication": "no", "permitemptypasswords": "no", "maxauthtries": 3,
            "clientaliveinterval": 300, "clientalivecountmax": 0, "x11forwarding": "no",
            "ciphers": ["aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes256-ctr"],
            "macs": ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"],
            "kexalgorithms": ["curve25519-sha256", "diffie-hellman-group16-sha512"],
        },
        "accounts": {"uid0": ["root"], "empty_password": [], "shared_or_default": []},
        "session_timeout": 600,  # readonly in profile.d; bash.bashrc's later 3600 cannot change it
        "auditd": {"installed": True, "active": True, "rules": 12},
        "log_retention_days": 182,  # weekly x rotate 26 for /var/log/syslog; journald's 1 month does not lower it
        "time_sync": {"active": True, "service": "chrony"},
        "risky_services": [],
        "firewall": {"active": True, "rules": 5, "default_input_policy": "drop"},
        "updates": {"pending": 1, "security": 0},
        "antivirus": {"installed": True, "name": "clamav", "signature_age_days": 1},
    }  # fmt: skip


def test_weak_default_debian_host(tmp_path: Path, tools: Path) -> None:
    root, stubs = host_tree(tmp_path, "weak")

    sections = parse_sections(run_script(root, stubs, tools))
    facts = linux_facts(sections)

    # no sshd binary: the configuration files are read, Include expanded in place, Match ignored
    assert "sshd_effective" not in sections
    sshd = facts.pop("sshd")
    assert {k: v for k, v in sshd.items() if k not in ("ciphers", "macs", "kexalgorithms")} == {
        "permitrootlogin": "yes", "passwordauthentication": "yes", "permitemptypasswords": "no", "maxauthtries": 6,
        "clientaliveinterval": 300, "clientalivecountmax": 3, "x11forwarding": "yes",
    }  # fmt: skip
    assert sshd["ciphers"] == [*SSHD_DEFAULTS["ciphers"], "aes128-cbc", "3des-cbc"]
    assert sshd["kexalgorithms"] == [*SSHD_DEFAULTS["kexalgorithms"], "diffie-hellman-group1-sha1"]
    assert sshd["macs"] == [
        "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512",
    ]  # fmt: skip
    assert facts == {
        "login_defs": {"pass_max_days": 99999, "pass_min_days": 0, "pass_min_len": 5, "pass_warn_age": 7},
        "pwquality": {"enabled": False, "minlen": 8, "minclass": 0, "dcredit": 0, "ucredit": 0, "lcredit": 0,
                      "ocredit": 0},
        "faillock": {"enabled": False, "deny": 3, "unlock_time": 600},
        # test is locked and demo has no shell: neither can log in
        "accounts": {"uid0": ["root", "toor"], "empty_password": ["guest"], "shared_or_default": ["admin", "guest"]},
        "session_timeout": 0,  # only a comment mentions TMOUT
        "auditd": {"installed": False, "active": False, "rules": 0},
        "log_retention_days": 28,  # the global weekly + rotate 4
        "time_sync": {"active": False, "service": None},
        "risky_services": ["avahi-daemon", "in.telnetd"],  # from /proc: this host runs no systemd
        "firewall": {"active": False, "rules": 5, "default_input_policy": "accept"},  # Docker's FORWARD rules only
        "updates": {"pending": 5, "security": 3},
        "antivirus": {"installed": False, "name": None, "signature_age_days": None},
    }  # fmt: skip


@pytest.mark.parametrize("name", ["hardened", "weak"])
def test_password_hashes_never_leave_the_host(tmp_path: Path, tools: Path, name: str) -> None:
    root, stubs = host_tree(tmp_path, name)
    hashes = [line.split(":")[1] for line in (root / "etc/shadow").read_text().splitlines()]
    hashes += [line.split(":")[1] for line in (root / "etc/passwd").read_text().splitlines()]
    secrets = [h.lstrip("!") for h in hashes if len(h) > 2]
    assert secrets  # the fixture does hold fake hashes

    out = run_script(root, stubs, tools)

    assert "==== secops:shadow ====" in out
    for secret in secrets:
        assert secret not in out
    assert "FAKEHASH" not in out and "FAKESALT" not in out and "$6$" not in out and "$y$" not in out
    # GECOS (real names, phone numbers) stays on the host too
    assert "张三" not in out and "13800000000" not in out


def test_root_prefix_without_commands_reads_files_only(tmp_path: Path, tools: Path) -> None:
    root, stubs = host_tree(tmp_path, "hardened")

    out = run_script(root, stubs, tools, commands=False)
    facts = linux_facts(parse_sections(out))

    # the stubs were not asked: a tree is not the running system
    assert "==== secops:auditd unavailable root-prefix ====" in out
    assert set(facts) == {
        "login_defs", "pwquality", "faillock", "sshd", "accounts", "session_timeout", "log_retention_days",
        "antivirus",
    }  # fmt: skip
    assert facts["sshd"]["permitrootlogin"] == "no"  # from sshd_config, sshd -T was not run
    assert facts["sshd"]["maxauthtries"] == 3  # from the Include'd sshd_config.d file


def test_nothing_readable_means_every_fact_absent(tmp_path: Path, tools: Path) -> None:
    out = run_script(tmp_path / "no-such-root", tools, commands=False)
    facts = linux_facts(parse_sections(out))
    # antivirus is known from the tree alone (no binary, no database)
    assert facts == {"antivirus": {"installed": False, "name": None, "signature_age_days": None}}


def test_unreadable_shadow_leaves_empty_password_unknown(tmp_path: Path, tools: Path) -> None:
    root, stubs = host_tree(tmp_path, "hardened")
    (root / "etc/shadow").unlink()
    facts = linux_facts(parse_sections(run_script(root, stubs, tools)))
    assert facts["accounts"] == {"uid0": ["root"], "shared_or_default": []}


def test_parse_sections_handles_unavailable_and_forged_headers() -> None:
    text = "\n".join(
        [
            "==== secops:meta ====",
            "version 1",
            "==== secops:file:/etc/login.defs unavailable missing ====",
            "==== secops:file:/etc/x ====",
            "a",
            " ==== secops:shadow ====",  # a forged header inside a file arrives indented by the script
            "",
            "==== secops:end ====",
        ]
    )
    assert parse_sections(text) == {"meta": "version 1", "file:/etc/x": "a\n ==== secops:shadow ====\n", "end": ""}


def test_collector_runs_on_this_machine() -> None:
    facts = collect_local()
    assert isinstance(facts, dict)
    assert "antivirus" in facts
    if os.path.exists("/etc/passwd"):
        assert "root" in facts["accounts"]["uid0"]


def test_collect_local_with_root_runs_no_commands(tmp_path: Path) -> None:
    root, _ = host_tree(tmp_path, "weak")
    facts = collect_local(str(root))
    assert facts["sshd"]["permitrootlogin"] == "yes"
    assert "updates" not in facts and "auditd" not in facts and "firewall" not in facts


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs the OpenSSH client")
def test_ssh_to_a_closed_port_is_unavailable_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(CollectorUnavailable) as error:
        collect_ssh("127.0.0.1", user="nobody", port=1, identity=None, timeout=3)
    assert time.monotonic() - started < 15
    assert "127.0.0.1" in error.value.reason
    assert "\n" not in error.value.reason


def test_ssh_command_never_prompts_and_refuses_option_injection(tmp_path: Path) -> None:
    if shutil.which("ssh") is None:
        pytest.skip("needs the OpenSSH client")
    argv = ssh_command("10.77.1.5", user="audit", port=2222, timeout=4.5, sudo=True)
    assert argv[1:] == [
        "-T", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
        "-o", "ConnectTimeout=5", "-o", "ConnectionAttempts=1", "-o", "ServerAliveInterval=15", "-o", "LogLevel=ERROR",
        "-p", "2222", "-l", "audit", "--", "10.77.1.5", "sudo -n sh -s",
    ]  # fmt: skip
    assert ssh_command("[2001:db8::5]")[-2] == "2001:db8::5"
    for target in ["-oProxyCommand=touch x", "host name", "a;b"]:
        with pytest.raises(CollectorInputError):
            ssh_command(target)
    with pytest.raises(CollectorInputError):
        ssh_command("10.77.1.5", user="-oProxyCommand=x")
    with pytest.raises(CollectorInputError):
        ssh_command("10.77.1.5", identity=str(tmp_path / "missing-key"))


def test_journald_decides_only_without_a_syslog_file() -> None:
    journald = "[Journal]\nStorage=persistent\nMaxRetentionSec=6month\n"
    assert linux_facts({"file:/etc/systemd/journald.conf": journald})["log_retention_days"] == 182
    assert linux_facts({"file:/etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n"})["log_retention_days"] == 0
    # size-limited journal: its time span is unknown
    assert "log_retention_days" not in linux_facts({"file:/etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n"})
    messages = "/var/log/messages /var/log/secure {\n    monthly\n    rotate -1\n    maxage 400\n}\n"
    assert linux_facts({"file:/etc/logrotate.d/syslog": messages})["log_retention_days"] == 400
    # no logrotate.conf read: logrotate's own defaults (daily, rotate 0) fill what the block leaves unset
    assert (
        linux_facts({"file:/etc/logrotate.d/syslog": "/var/log/messages {\n rotate 7\n}\n"})["log_retention_days"] == 7
    )


def test_older_pam_modules_and_sshd_spellings() -> None:
    facts = linux_facts(
        {
            "file:/etc/pam.d/system-auth": (
                "auth required /lib64/security/pam_tally2.so deny=6 onerr=fail unlock_time=1800\n"
                "password requisite pam_cracklib.so try_first_pass retry=3 minlen=10 dcredit=-1\n"
            ),
            "sshd_effective": "permitrootlogin without-password\nclientaliveinterval 900\nciphers aes256-ctr\n",
        }
    )
    assert facts["faillock"] == {"enabled": True, "deny": 6, "unlock_time": 1800}
    assert facts["pwquality"] == {"enabled": True, "minlen": 10, "minclass": 0, "dcredit": -1, "ucredit": 1,
                                  "lcredit": 1, "ocredit": 1}  # fmt: skip
    assert facts["sshd"]["permitrootlogin"] == "prohibit-password"
    assert facts["sshd"]["clientaliveinterval"] == 900
    assert facts["sshd"]["ciphers"] == ["aes256-ctr"]


def test_firewall_from_services_alone_and_from_ufw() -> None:
    assert linux_facts({"services": "method systemd\nfirewalld active\n"})["firewall"] == {"active": True}
    ufw = {"ufw": "Status: active\n", "iptables": "-P INPUT DROP\n-A INPUT -j ufw-before-input\n"}
    assert linux_facts(ufw)["firewall"] == {"active": True, "rules": 1, "default_input_policy": "drop"}


def test_missing_basic_tool_makes_every_source_unavailable(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for tool in ("cat", "grep", "sort", "id", "date"):  # no awk
        if found := shutil.which(tool):
            (bare / tool).symlink_to(found)
    out = run_script(tmp_path, bare, commands=False)
    assert "==== secops:all unavailable no-awk ====" in out
    assert linux_facts(parse_sections(out)) == {}


@pytest.fixture
def local_sshd(tmp_path: Path) -> Iterator[dict[str, str | int]]:
    """A real OpenSSH server on a free loopback port that admits root with a throw-away key."""
    sshd = shutil.which("sshd") or next((p for p in ("/usr/sbin/sshd", "/sbin/sshd") if os.path.exists(p)), None)
    if os.geteuid() != 0 or sshd is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("SSH round trip skipped: needs root, sshd and the OpenSSH client")
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp_path}/host\nAuthorizedKeysFile {tmp_path}/client.pub\n"
        f"PidFile {tmp_path}/sshd.pid\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nPermitRootLogin yes\n"
    )
    host_key = (tmp_path / "host.pub").read_text().split()
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory
    server = subprocess.Popen([sshd, "-D", "-f", str(config), "-E", str(tmp_path / "sshd.log")])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield {"port": port, "identity": str(tmp_path / "client"), "known_hosts": str(tmp_path / "known_hosts")}
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.root
def test_collect_over_ssh_matches_local(local_sshd: dict[str, str | int]) -> None:
    port, identity, known_hosts = local_sshd["port"], local_sshd["identity"], local_sshd["known_hosts"]
    assert isinstance(port, int) and isinstance(identity, str) and isinstance(known_hosts, str)

    remote = collect_ssh("127.0.0.1", user="root", port=port, identity=identity, timeout=5, known_hosts=known_hosts)
    local = collect_local()

    # running processes may change between the two runs; everything else describes the same host
    remote.pop("risky_services", None)
    local.pop("risky_services", None)
    assert remote == local
    assert "accounts" in remote and "root" in remote["accounts"]["uid0"]


def test_unknown_host_key_is_refused(local_sshd: dict[str, str | int], tmp_path: Path) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    port, identity = local_sshd["port"], local_sshd["identity"]
    assert isinstance(port, int) and isinstance(identity, str)
    with pytest.raises(CollectorUnavailable, match="Host key verification failed"):
        collect_ssh("127.0.0.1", user="root", port=port, identity=identity, timeout=5, known_hosts=str(empty))

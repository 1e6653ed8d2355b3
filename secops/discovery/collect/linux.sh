# secops Linux host collector (POSIX sh). Prints delimited sections for secops.discovery.collect.linux.
#
#   ==== secops:NAME ====                  followed by the section's content
#   ==== secops:NAME unavailable REASON ====   the source could not be read (no content follows)
#
# Read-only: it changes nothing on the host, never prints password hashes (shadow and passwd are reduced
# to names and markers by awk before anything is printed), and never fails as a whole.
#
# Environment:
#   SECOPS_ROOT      prefix for every file read (default empty), so tests can point it at a fixture tree.
#   SECOPS_COMMANDS  1 runs live commands even with SECOPS_ROOT set; by default a root prefix means the tree
#                    is not the running system, so command sections are marked unavailable.
#
# The body is one function called with stdin from /dev/null: when the script itself arrives on stdin
# (`sh -s`, over SSH) the shell parses all of it first and no command can swallow the rest of the script.

secops_main() {
    R="${SECOPS_ROOT:-}"
    R="${R%/}"
    LC_ALL=C
    export LC_ALL
    if [ -z "$R" ]; then
        LIVE=1
        # Administrative tools live in sbin, which a non-root SSH login often lacks in PATH.
        PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
        export PATH
    elif [ "${SECOPS_COMMANDS:-0}" = 1 ]; then
        LIVE=1
    else
        LIVE=0
    fi

    header "meta"
    echo "version 1"
    echo "live $LIVE"
    echo "uid $(id -u 2>/dev/null)"
    # Without these every section would come out empty, which would read as "nothing configured".
    for tool in awk cat grep sort; do
        if ! have "$tool"; then
            unavailable all "no-$tool"
            header "end"
            return
        fi
    done

    emit_file /etc/login.defs

    emit_file /etc/security/pwquality.conf
    emit_glob /etc/security/pwquality.conf.d '*.conf'
    for p in common-password common-auth system-auth password-auth; do
        emit_file "/etc/pam.d/$p"
    done
    emit_file /etc/security/faillock.conf

    ssh_section
    emit_file /etc/ssh/sshd_config
    emit_glob /etc/ssh/sshd_config.d '*.conf'

    accounts_sections

    for rc_file in /etc/profile /etc/bash.bashrc /etc/bashrc; do
        emit_grep tmout "$rc_file" TMOUT
    done
    for rc_file in "$R"/etc/profile.d/*; do
        [ -f "$rc_file" ] || continue
        emit_grep tmout "${rc_file#"$R"}" TMOUT
    done

    emit_file /etc/logrotate.conf
    for p in rsyslog syslog syslog-ng; do
        emit_file "/etc/logrotate.d/$p"
    done
    emit_file /etc/systemd/journald.conf
    emit_glob /etc/systemd/journald.conf.d '*.conf'

    services_sections
    auditd_section
    firewall_sections
    updates_sections
    antivirus_section

    header "end"
}

header() {
    echo "==== secops:$1 ===="
}

unavailable() {
    echo "==== secops:$1 unavailable $2 ===="
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# Content is printed through awk so a line that looks like a section header cannot forge one, and the
# last line always ends with a newline.
sanitize() {
    awk '{ if (index($0, "==== secops:") == 1) $0 = " " $0; print }' "$@"
}

# A readable file under the root prefix becomes section file:PATH; PATH is the host path (no prefix).
emit_file() {
    f="$R$1"
    if [ -f "$f" ] && [ -r "$f" ]; then
        header "file:$1"
        sanitize "$f" 2>/dev/null
    elif [ -e "$f" ]; then
        unavailable "file:$1" unreadable
    else
        unavailable "file:$1" missing
    fi
}

# Every file in DIR matching PATTERN (sorted by the shell's glob); nothing at all when none exist.
emit_glob() {
    for g in "$R$1"/$2; do
        [ -f "$g" ] || continue
        emit_file "${g#"$R"}"
    done
}

# Only the lines of PATH that mention WORD (profile.d holds large scripts of which one line matters).
emit_grep() {
    f="$R$2"
    if [ -f "$f" ] && [ -r "$f" ]; then
        header "$1:$2"
        grep "$3" "$f" 2>/dev/null | sanitize
    elif [ -e "$f" ]; then
        unavailable "$1:$2" unreadable
    else
        unavailable "$1:$2" missing
    fi
}

# Runs a command with a time limit when coreutils' timeout exists (a hung D-Bus must not stall the whole
# collection); stdin is already /dev/null.
run() {
    if have timeout; then
        timeout 60 "$@"
    else
        "$@"
    fi
}

# Section NAME holds the output of a command that must exit 0; otherwise the section is unavailable.
emit_cmd() {
    name="$1"
    shift
    if [ "$LIVE" != 1 ]; then
        unavailable "$name" root-prefix
        return
    fi
    if ! have "$1"; then
        unavailable "$name" no-command
        return
    fi
    out=$(run "$@" 2>/dev/null)
    rc=$?
    if [ "$rc" -ne 0 ]; then
        unavailable "$name" "exit-$rc"
        return
    fi
    header "$name"
    [ -n "$out" ] && printf '%s\n' "$out" | sanitize
}

ssh_section() {
    # sshd -T prints the effective configuration; it needs the host keys, so it usually needs root.
    if [ "$LIVE" = 1 ] && have sshd; then
        out=$(run sshd -T 2>/dev/null)
        if [ $? -eq 0 ] && [ -n "$out" ]; then
            header "sshd_effective"
            printf '%s\n' "$out" | sanitize
            return
        fi
        unavailable "sshd_effective" failed
    elif [ "$LIVE" = 1 ]; then
        unavailable "sshd_effective" no-command
    else
        unavailable "sshd_effective" root-prefix
    fi
}

accounts_sections() {
    # passwd: name:uid:shell:marker where marker says whether the password field is x, empty or other.
    # Nothing else leaves the host (no GECOS, no home, never a legacy hash kept in passwd).
    f="$R/etc/passwd"
    if [ -f "$f" ] && [ -r "$f" ]; then
        header "passwd"
        awk -F: 'NF >= 3 && $1 !~ /^[+-]/ && $1 !~ /^====/ {
            m = ($2 == "") ? "empty" : (($2 == "x") ? "x" : "other")
            print $1 ":" $3 ":" $7 ":" m
        }' "$f" 2>/dev/null
    else
        unavailable passwd unreadable
    fi
    # shadow: name:state, state one of empty, locked (!...), disabled (*...), set. The hash is dropped here.
    f="$R/etc/shadow"
    if [ -f "$f" ] && [ -r "$f" ]; then
        header "shadow"
        awk -F: 'NF >= 2 && $1 !~ /^[+-]/ && $1 !~ /^====/ {
            s = $2
            if (s == "") st = "empty"
            else if (substr(s, 1, 1) == "!") st = "locked"
            else if (substr(s, 1, 1) == "*") st = "disabled"
            else st = "set"
            print $1 ":" st
        }' "$f" 2>/dev/null
    else
        unavailable shadow unreadable
    fi
}

# Units whose state matters (time sync, auditd, firewalld): from systemctl when systemd runs, otherwise
# from process names in /proc. Running units (for risky services) come from the same source.
SERVICE_UNITS="auditd chrony chronyd systemd-timesyncd ntp ntpd ntpsec openntpd firewalld"

# /proc/PID/comm is cut to 15 characters, hence systemd-timesyn.
unit_process() {
    case "$1" in
        chrony | chronyd) echo chronyd ;;
        systemd-timesyncd) echo systemd-timesyn ;;
        ntp | ntpd | ntpsec | openntpd) echo ntpd ;;
        *) echo "$1" ;;
    esac
}

services_sections() {
    if [ "$LIVE" != 1 ]; then
        unavailable services root-prefix
        unavailable running root-prefix
        unavailable timedatectl root-prefix
        return
    fi
    if [ -d "$R/run/systemd/system" ] && have systemctl; then
        header "services"
        echo "method systemd"
        for u in $SERVICE_UNITS; do
            st=$(run systemctl is-active "$u" 2>/dev/null)
            echo "$u ${st:-unknown}"
        done
        # Sockets are "listening", not "running" (telnet.socket, rsh.socket).
        emit_cmd running systemctl list-units --type=service,socket --state=running,listening --no-legend --plain
        emit_cmd timedatectl timedatectl show -p NTP -p NTPSynchronized
    else
        # Kernel threads named like kworker/0:1 are noise; nfsd (no slash) is kept on purpose.
        procs=$(cat "$R"/proc/[0-9]*/comm 2>/dev/null | grep -v / | sort -u)
        header "services"
        echo "method proc"
        for u in $SERVICE_UNITS; do
            p=$(unit_process "$u")
            if printf '%s\n' "$procs" | grep -qx "$p"; then
                echo "$u active"
            else
                echo "$u inactive"
            fi
        done
        header "running"
        echo "# processes"
        [ -n "$procs" ] && printf '%s\n' "$procs" | sanitize
        unavailable timedatectl no-systemd
    fi
}

auditd_section() {
    if [ "$LIVE" != 1 ]; then
        unavailable auditd root-prefix
        return
    fi
    header "auditd"
    if have auditctl; then
        echo "installed yes"
        out=$(run auditctl -l 2>/dev/null)
        if [ $? -eq 0 ]; then
            n=$(printf '%s\n' "$out" | grep -c -v -e '^No rules' -e '^$')
            echo "rules $n"
        else
            echo "rules unavailable"
        fi
    elif have auditd; then
        echo "installed yes"
        echo "rules unavailable"
    else
        echo "installed no"
    fi
}

firewall_sections() {
    emit_cmd nft nft list ruleset
    emit_cmd iptables iptables -S
    emit_cmd ufw ufw status
}

updates_sections() {
    if have apt-get || [ "$LIVE" != 1 ]; then
        # A simulation: needs no root and changes nothing. It uses the package lists as last refreshed.
        emit_cmd apt_upgrade apt-get -s upgrade
    elif have dnf; then
        dnf_sections dnf
    elif have yum; then
        dnf_sections yum
    else
        unavailable apt_upgrade no-command
    fi
}

dnf_sections() {
    # -C: cache only, no network. check-update exits 100 when updates are pending.
    out=$(run "$1" -q -C check-update 2>/dev/null)
    rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 100 ]; then
        header dnf_check_update
        [ -n "$out" ] && printf '%s\n' "$out" | sanitize
        emit_cmd dnf_security "$1" -q -C updateinfo list --security
    else
        unavailable dnf_check_update "exit-$rc"
    fi
}

mtime() {
    stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null
}

antivirus_section() {
    header "antivirus"
    echo "now $(date +%s)"
    for b in /usr/bin/clamscan /usr/bin/clamdscan /usr/sbin/clamd /usr/local/bin/clamscan; do
        [ -x "$R$b" ] && echo "binary clamav $b"
    done
    if [ "$LIVE" = 1 ] && have clamscan; then
        echo "binary clamav $(command -v clamscan)"
    fi
    for d in "$R"/var/lib/clamav/*.cvd "$R"/var/lib/clamav/*.cld; do
        [ -f "$d" ] || continue
        echo "db clamav $(mtime "$d") ${d#"$R"}"
    done
}

secops_main </dev/null
exit 0

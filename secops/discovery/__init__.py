"""All network I/O towards hosts: discovery scans through the one nmap runner, ICMPv6 sweeps,
the 等保 probes (probes/) and the host collectors (collect/)."""

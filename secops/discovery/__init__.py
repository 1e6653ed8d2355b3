"""Network I/O for asset discovery: the nmap runner (a child process, with its progress), scapy sweeps."""

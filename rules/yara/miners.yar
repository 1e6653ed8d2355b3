/*
 * Cryptocurrency miners on servers and web pages: XMRig binaries and configurations, stratum
 * pool URLs, in-browser mining scripts, and shell droppers that fetch and start a miner.
 */

rule miner_stratum_url : miner
{
    meta:
        description = "Mining pool URL (stratum+tcp/ssl/tls)"
        description_zh = "矿池地址（stratum 协议）：服务器或网页在连接挖矿矿池"
        technique = "miner-pool-url"
        language = "any"
        confidence = "high"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "coin-miner"
        reference = "https://attack.mitre.org/techniques/T1496/"
    strings:
        $url = /stratum2?\+(tcp|ssl|tls):\/\/[\w.-]{3,}/ nocase
    condition:
        $url
}

rule miner_xmrig : miner
{
    meta:
        description = "XMRig Monero miner: its binary, its JSON configuration or a command line pointing it at a pool"
        description_zh = "XMRig 门罗币挖矿程序：其二进制文件、JSON 配置或指向矿池的命令行"
        technique = "miner-binary-config"
        language = "any"
        confidence = "high"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "XMRig"
        reference = "https://github.com/xmrig/xmrig"
    strings:
        $name = "xmrig" nocase
        $donate_opt = "--donate-level"
        $randomx = "randomx" nocase
        $cryptonight = "cryptonight" nocase
        $donate = "\"donate-level\""
        $pools = /"pools"\s*:\s*\[/
        $algo = /"algo"\s*:\s*"(rx\/|cn\/|cn-|randomx|cryptonight|argon2|kawpow|ghostrider|astrobwt)/ nocase
        $nicehash = "\"nicehash\""
        $keepalive = "\"keepalive\""
        // xmrig -o pool.example.org:3333 -u WALLET ...
        $cmdline = /xmrig[^\n]{0,200}\s(-o|--url[= ])\s*([a-z0-9+]{2,12}:\/\/)?[\w-]{1,63}(\.[\w-]{1,63})+:\d{2,5}/ nocase
    condition:
        ((uint16(0) == 0x5a4d or uint32(0) == 0x464c457f) and $name and 2 of ($donate_opt, $randomx, $cryptonight, $pools)) or
        $cmdline or
        ($donate and $pools and 1 of ($algo, $nicehash, $keepalive))
}

rule miner_browser_script : miner web
{
    meta:
        description = "In-browser cryptojacking script (CoinHive, CryptoLoot, CoinImp, JSEcoin, deepMiner, WebMinePool)"
        description_zh = "网页内挖矿脚本（CoinHive、CryptoLoot、CoinImp 等）：访问者的浏览器被用来挖矿"
        technique = "miner-browser"
        language = "any"
        confidence = "high"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "browser-miner"
        reference = "https://attack.mitre.org/techniques/T1496/"
    strings:
        $coinhive = /CoinHive\s*\.\s*(Anonymous|User|Token)\s*\(/ nocase
        $coinhive_js = /coin-?hive\.(com|min\.js)/ nocase
        $authedmine = "authedmine.com" nocase
        $cryptoloot = /(CRLT\s*\.\s*Anonymous\s*\(|crypto-?loot\.(com|pro))/ nocase
        $coinimp = /(coinimp\.com|Client\s*\.\s*Anonymous\s*\(\s*['"][0-9a-f]{64}['"])/ nocase
        $jsecoin = "jsecoin.com" nocase
        $deepminer = /deepMiner\s*\.\s*(Anonymous|Init)\s*\(/ nocase
        $webminepool = "webminepool.com" nocase
    condition:
        any of them
}

rule miner_linux_dropper : miner linux
{
    meta:
        description = "Shell dropper that downloads and starts a miner (names of common Linux miners with curl/wget and chmod/nohup/cron)"
        description_zh = "下载并启动挖矿程序的 Shell 脚本（curl/wget 下载，chmod/nohup/cron 运行）"
        technique = "miner-dropper"
        language = "any"
        confidence = "medium"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "coin-miner"
        reference = "https://attack.mitre.org/techniques/T1496/"
    strings:
        $m1 = "xmrig" nocase
        $m2 = "kdevtmpfsi"
        $m3 = "kinsing"
        $m4 = "minerd"
        $m5 = "cpuminer"
        $m6 = "xmr-stak" nocase
        $m7 = "nanominer"
        $fetch = /(curl|wget)\s+[^\n]{0,200}(https?|ftp):\/\//
        $start = /(chmod\s+(\+x|[0-7]{3,4})|nohup\s|crontab\s)/
    condition:
        uint16(0) == 0x2123 and filesize < 500KB and 1 of ($m*) and $fetch and $start
}

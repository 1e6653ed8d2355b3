/*
 * China Chopper (中国菜刀): tiny "one-liner" servers (PHP, ASP, ASPX) that evaluate whatever the
 * client posts in one parameter, its larger JSP server that dispatches on one-letter commands
 * with the z1/z2 parameters, and the client's own request payload left in logs or captures.
 */

rule china_chopper_php : webshell php chopper
{
    meta:
        description = "China Chopper PHP one-liner: a small file that evals one POST parameter"
        description_zh = "中国菜刀 PHP 一句话木马：小文件直接 eval/assert 一个 POST 参数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        $one = /<\?(php|=)?\s*@?\s*(eval|assert)\s*\(\s*@?\s*\$_(POST|REQUEST|GET)\s*\[\s*['"]?[\w-]{1,40}['"]?\s*\]\s*\)\s*;?\s*(\?>)?/ nocase
    condition:
        filesize < 4KB and $one
}

rule china_chopper_asp : webshell asp aspx chopper
{
    meta:
        description = "China Chopper ASP/ASPX one-liner: eval or execute of one request parameter (JScript 'unsafe' eval, VBScript execute)"
        description_zh = "中国菜刀 ASP/ASPX 一句话木马：eval/execute 执行一个请求参数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "asp"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        // IIS also runs pages saved as UTF-16, a known way around byte-string signatures
        $aspx = /eval\s*\(\s*Request\s*(\.\s*(Item|Form|QueryString|Params))?\s*\[\s*["'][^"'\n]{1,40}["']\s*\]\s*,\s*["']unsafe["']\s*\)/ nocase ascii wide
        $asp = /<%\s*(eval|execute|executeglobal)\s*\(?\s*request\s*(\.\s*(item|form|querystring))?\s*\(\s*["'][^"'\n]{1,40}["']\s*\)\s*\)?\s*%>/ nocase ascii wide
    condition:
        filesize < 16KB and any of them
}

rule china_chopper_jsp : webshell jsp chopper
{
    meta:
        description = "China Chopper JSP server: one-letter command dispatch with the z1/z2 request parameters"
        description_zh = "中国菜刀 JSP 服务端：按单字母命令分派，使用 z1/z2 参数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "jsp"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        $z1 = /getParameter\s*\(\s*"z1"\s*\)/
        $z2 = /getParameter\s*\(\s*"z2"\s*\)/
        $cmd = /\.equals\s*\(\s*"[A-Q]"\s*\)/
    condition:
        filesize < 200KB and $z1 and $z2 and #cmd >= 5
}

rule china_chopper_client_payload : webshell php chopper
{
    meta:
        description = "China Chopper / AntSword client request: eval(base64_decode($_POST[z0])) and its base64 preamble"
        description_zh = "中国菜刀/蚁剑客户端请求载荷：eval(base64_decode($_POST[z0]))，常见于日志或流量留存"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        $z0 = /(eval|assert)\s*\(\s*base64_decode\s*\(\s*\$_POST\s*\[\s*['"]?z0['"]?\s*\]\s*\)\s*\)/ nocase
        // base64 of @ini_set("display_errors","0");@set_time_limit(0); with and without a space
        $pre1 = "QGluaV9zZXQoImRpc3BsYXlfZXJyb3JzIiwiMCIpO0BzZXRfdGltZV9saW1pdCgwKTs"
        $pre2 = "QGluaV9zZXQoImRpc3BsYXlfZXJyb3JzIiwgIjAiKTtAc2V0X3RpbWVfbGltaXQoMCk7"
    condition:
        any of them
}

rule china_chopper_reply_markers : webshell chopper
{
    meta:
        description = "China Chopper client payload (PHP/ASP/ASPX): the reply framed by the '->|' and '|<-' markers around decoded, evaluated code"
        description_zh = "中国菜刀客户端载荷：回显被“->|”和“|<-”包裹，配合 eval/Execute 与 base64 解码（常见于落地文件、日志或流量）"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "family-marker"
        language = "any"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        // a class in each verb keeps libyara's atom on the marker (->| and |<-), not on echo/Write
        $open = /(ec[hH]o|Wr[iI]te)\s*\(\s*["']->\|["']\s*\)/ nocase ascii wide
        $close = /(ec[hH]o|Wr[iI]te)\s*\(\s*["']\|<-["']\s*\)/ nocase ascii wide
        $eval = /\b(eval|Execute|ExecuteGlobal|base64_decode|FromBase64String)\b/ nocase ascii wide
    condition:
        filesize < 1MB and $open and $close and $eval
}

rule china_chopper_customize_server : webshell jsp aspx chopper
{
    meta:
        description = "China Chopper 'customize' server (JSP/ASPX, also driven by AntSword): the *Code command handlers (WwwRootPathCode, FileTreeCode, ExecuteCommandCode...) and DB helpers"
        description_zh = "中国菜刀 Customize 服务端（JSP/ASPX，蚁剑也可连接）：WwwRootPathCode、FileTreeCode、ExecuteCommandCode 等命令处理函数"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "jsp"
        confidence = "high"
        family = "China Chopper"
        reference = "https://attack.mitre.org/software/S0020/"
    strings:
        $c1 = /\b(WwwRootPathCode|FileTreeCode|ReadFileCode|WriteFileCode|DeleteFileOrDirCode|DownloadFileCode|UploadFileCode|CopyFileOrDirCode|RenameFileOrDirCode|CreateDirCode|ModifyFileOrDirTimeCode|WgetCode|SysInfoCode|ExecuteCommandCode)\s*\(/ ascii wide
        $d1 = /\b(showDatabases|showTables|showColumns)\s*\(/ ascii wide
        $enc = /\bEC\s*\(\s*\w{1,20}\s*\)/ ascii wide
    condition:
        filesize < 500KB and #c1 >= 4 and ($d1 or $enc or #c1 >= 8)
}

/*
 * China Chopper (中国菜刀): tiny "one-liner" servers (PHP, ASP, ASPX) that evaluate whatever the
 * client posts in one parameter, its larger JSP server that dispatches on one-letter commands
 * with the z1/z2 parameters, and the client's own request payload left in logs or captures.
 */

rule china_chopper_php : webshell php chopper
{
    meta:
        description = "China Chopper PHP one-liner: a small file that evals one POST parameter"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
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
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
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
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
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
        author = "secops"
        date = "2026-11-23"
        severity = "high"
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

/*
 * Generic ASP.NET (ASPX/ASHX) and classic ASP webshells: JScript eval of the request and process
 * starts (cmd.exe, WScript.Shell) driven by request values.
 */

rule aspx_webshell_eval_request : webshell aspx asp
{
    meta:
        description = "ASPX/ASP webshell: JScript eval or VBScript Execute of a request value"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "aspx-eval"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $tag = "<%" ascii wide  // pages saved as UTF-16 run on IIS too
        $eval = /[^\w.](eval|execute|executeglobal)\s*\(?\s*Request\s*(\.\s*(Item|Form|QueryString|Params))?\s*[\[\(]\s*["']/ nocase ascii wide
    condition:
        $tag and $eval
}

rule aspx_webshell_process_request : webshell aspx asp
{
    meta:
        description = "ASPX/ASP command webshell: Process.Start, ProcessStartInfo or WScript.Shell run with request values"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "aspx-cmd"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $page = /<%@\s*(Page|WebHandler)\b/ nocase
        $runat = /runat\s*=\s*["']?server/ nocase
        $asp = /<%@?\s*(Language\s*=\s*["']?VBScript|@\s*LANGUAGE)/ nocase
        $start = /Process\s*\.\s*Start\s*\(/
        $psi = "ProcessStartInfo"
        $wsh = /CreateObject\s*\(\s*["']WScript\.Shell["']\s*\)/ nocase
        $wsh_run = /\.(Exec|Run)\s*\(\s*[^)\n]{0,80}Request\s*[\(\.]/ nocase
        $request = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*[\[\(]\s*["']/ nocase
    condition:
        filesize < 500KB and (
            (($page or $runat) and ($start or $psi) and $request) or
            (($asp or $page or $runat) and $wsh and $wsh_run)
        )
}

/*
 * Generic JSP webshells: operating-system commands, script engines and class loaders driven by
 * request parameters.
 */

rule jsp_webshell_exec_request : webshell jsp
{
    meta:
        description = "JSP command webshell: Runtime.exec or ProcessBuilder on request parameters"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "jsp-cmd"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $exec_direct = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(\s*[^;]{0,160}request\s*\.\s*getParameter\s*\(/
        $pb_direct = /new\s+ProcessBuilder\s*\(\s*[^;]{0,160}request\s*\.\s*getParameter\s*\(/
        $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
        $pb = /new\s+ProcessBuilder\s*\(/
        $param = /request\s*\.\s*getParameter\s*\(/
        $output = /\.\s*getInputStream\s*\(\s*\)/
        $jsp = "<%"
    condition:
        filesize < 500KB and (
            $exec_direct or $pb_direct or
            ($jsp and ($exec or $pb) and $param and $output)
        )
}

rule jsp_webshell_script_engine_request : webshell jsp
{
    meta:
        description = "JSP script-engine webshell: ScriptEngine.eval of a request parameter"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "jsp-cmd"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $direct = /getEngineByName\s*\(\s*"[\w.]{1,20}"\s*\)\s*\.\s*eval\s*\(\s*[^;]{0,120}request\s*\.\s*getParameter\s*\(/
        $engine = /getEngineByName\s*\(/
        $eval = /\.\s*eval\s*\(\s*[^;]{0,120}request\s*\.\s*getParameter\s*\(/
        $jsp = "<%"
    condition:
        filesize < 500KB and ($direct or ($jsp and $engine and $eval))
}

rule jsp_webshell_classloader_request : webshell jsp
{
    meta:
        description = "JSP class-loading webshell: defines classes from decoded or decrypted request data (Behinder/Godzilla style, memory-shell loaders)"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "jsp-loader"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $jsp = "<%"
        $loader = /extends\s+ClassLoader/
        $define = /defineClass\s*\(/
        $request = /request\s*\.\s*(getParameter|getReader|getInputStream)\s*\(/
        $decode = /(BASE64Decoder|Base64\s*\.\s*getDecoder|parseBase64Binary|Cipher\s*\.\s*getInstance)/
    condition:
        filesize < 200KB and all of them
}

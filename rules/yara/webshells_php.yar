/*
 * Generic PHP webshells: code execution of request data, request-chosen callbacks, file droppers
 * and the well-known "big" shell kits. Written for secops from public descriptions of these
 * techniques (MITRE ATT&CK T1505.003); no sample code is copied.
 */

rule php_webshell_eval_request : webshell php
{
    meta:
        description = "PHP code or command execution of request data (eval/assert/system of $_GET/$_POST/...)"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        // eval($_POST['x']), @assert(stripslashes($_REQUEST[...])), system(base64_decode($_GET[..]))
        $call = /[^\w$>:.\\](eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(\s*@?\s*(\w{2,20}\s*\(\s*@?\s*){0,4}\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        // eval($_SERVER['HTTP_X']): the code travels in a request header
        $header = /[^\w$>:.\\](eval|assert|system|exec|shell_exec|passthru)\s*\(\s*@?\s*(\w{2,20}\s*\(\s*){0,4}\$_SERVER\s*\[\s*['"]HTTP_/ nocase
        // eval(file_get_contents('php://input')): the whole request body is the code
        $input = /[^\w$>:.\\](eval|assert)\s*\(\s*@?\s*(\w{2,20}\s*\(\s*){0,4}file_get_contents\s*\(\s*['"]php:\/\/input/ nocase
    condition:
        any of them
}

rule php_webshell_request_function_call : webshell php
{
    meta:
        description = "PHP dynamic call whose function name and argument both come from the request ($_GET['f']($_POST['c']))"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $call = /\$_(GET|POST|REQUEST|COOKIE)\s*\[\s*['"]?[\w-]{0,40}['"]?\s*\]\s*\(\s*@?\s*(\w{2,20}\s*\(\s*){0,2}\$_(GET|POST|REQUEST|COOKIE)\s*\[/
    condition:
        $call
}

rule php_webshell_preg_replace_e : webshell php
{
    meta:
        description = "preg_replace with the /e modifier (code evaluation, removed in PHP 7) fed with request data"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-one-liner"
        reference = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
    strings:
        $e = /preg_replace\s*\(\s*['"][\/#~|!@%][^'"\n]{0,200}[\/#~|!@%][a-zA-Z]{0,6}e[a-zA-Z]{0,6}['"]\s*,[^;]{0,200}\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        $e
}

rule php_webshell_create_function_request : webshell php
{
    meta:
        description = "create_function (a hidden eval) built from request data"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $cf = /create_function\s*\([^;]{0,160}\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
    condition:
        $cf
}

rule php_webshell_callback_request : webshell php
{
    meta:
        description = "PHP callback webshell: call_user_func/array_map/usort/... with a callback or code taken from the request, or 'assert' applied to request data"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        // the callback itself comes from the request
        $name = /[^\w$>:.](call_user_func|call_user_func_array|array_map|register_shutdown_function|register_tick_function|forward_static_call|forward_static_call_array|iterator_apply)\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/ nocase
        // call_user_func('assert', $_POST['x'])
        $named = /[^\w$>:.](call_user_func|call_user_func_array|array_map|register_shutdown_function|forward_static_call)\s*\(\s*['"](assert|system|exec|shell_exec|passthru|popen|proc_open)['"]\s*,[^;]{0,120}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // array_filter($_POST, 'assert'), usort($_GET, $_POST['cb'])
        $sorted = /[^\w$>:.](array_filter|array_walk|array_walk_recursive|array_reduce|usort|uasort|uksort)\s*\([^;]{0,120}\$_(GET|POST|REQUEST|COOKIE)[^;]{0,120},\s*(['"](assert|system|exec|shell_exec|passthru)['"]|\$_(GET|POST|REQUEST|COOKIE)\s*\[)/ nocase
    condition:
        any of them
}

rule php_webshell_file_dropper : webshell php
{
    meta:
        description = "PHP file dropper: writes request data to a file named by the request, or keeps an upload under the client's file name"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "php-uploader"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $put = /file_put_contents\s*\(\s*\$_(GET|POST|REQUEST)\s*\[[^\]]{1,40}\]\s*,\s*@?\s*(\w{2,20}\s*\(\s*){0,2}\$_(GET|POST|REQUEST)\s*\[/ nocase
        $fw = /fwrite\s*\(\s*fopen\s*\(\s*\$_(GET|POST|REQUEST)\s*\[[^\]]{1,40}\]\s*,\s*['"][wa]b?\+?['"]\s*\)\s*,\s*@?\s*(\w{2,20}\s*\(\s*){0,2}\$_(GET|POST|REQUEST)\s*\[/ nocase
        $up = /move_uploaded_file\s*\(\s*\$_FILES\s*\[[^\]]{1,40}\]\s*\[\s*['"]tmp_name['"]\s*\]\s*,\s*(['"][^'"\n]{0,80}['"]\s*\.\s*)?\$_(FILES\s*\[[^\]]{1,40}\]\s*\[\s*['"]name['"]\s*\]|GET\s*\[|POST\s*\[|REQUEST\s*\[)/ nocase
    condition:
        any of them
}

rule php_webshell_known_kits : webshell php
{
    meta:
        description = "Well-known PHP webshell kits (WSO, c99, r57, b374k) by their own markers"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "php-shell-kit"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $wso_action = /\$default_action\s*=\s*['"]FilesMan['"]/
        $wso_pass = /\$auth_pass\s*=\s*['"][0-9a-f]{0,32}['"]/
        $wso_name = /WSO\s+[0-9.]{1,6}/
        $c99 = "c99shell" nocase
        $r57 = "r57shell" nocase
        $b374k = "b374k" nocase
        $exec = /[^\w$>:.](shell_exec|passthru|proc_open|popen|system)\s*\(/ nocase
    condition:
        $php and (
            ($wso_action and ($wso_pass or $wso_name)) or
            (1 of ($c99, $r57, $b374k) and $exec)
        )
}

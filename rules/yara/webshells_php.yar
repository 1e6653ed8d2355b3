/*
 * Generic PHP webshells: code execution of request data, request-chosen callbacks, file droppers
 * and the well-known "big" shell kits. Written for secops from public descriptions of these
 * techniques (MITRE ATT&CK T1505.003); no sample code is copied.
 *
 * The technique rules (second half) catch what reaches a sink by other paths: request data passed
 * through variables, parameters, properties, the session, $$name, ${'_PO'.'ST'}, getenv('HTTP_...'),
 * getallheaders() or php://input; callback sinks; function names synthesised at run time; include of
 * request data; image files carrying PHP. Small files (one-liners, droppers) need a request source
 * and a sink anywhere; larger files need the parts close together. A technique rule stays quiet
 * where the first-half rule of the same technique already reports the file (one finding, not two).
 */

rule php_webshell_eval_request : webshell php
{
    meta:
        description = "PHP code or command execution of request data (eval/assert/system of $_GET/$_POST/...)"
        description_zh = "请求参数（GET/POST/Cookie/请求头）被直接传入 eval、assert、system 等代码/命令执行函数，是典型的一句话木马"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "php-input-to-sink"
        language = "php"
        confidence = "high"
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
        description_zh = "函数名和参数都来自请求（$_GET['f']($_POST['c'])），攻击者可调用任意函数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "php-variable-call"
        language = "php"
        confidence = "high"
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
        description_zh = "preg_replace 使用 /e 修饰符执行请求数据中的代码（PHP 7 已移除该功能）"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "php-preg-replace-e"
        language = "php"
        confidence = "high"
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
        description_zh = "create_function（隐式 eval）的函数体来自请求数据"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "php-callback"
        language = "php"
        confidence = "high"
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
        description_zh = "回调型木马：call_user_func、array_map、usort 等的回调函数或代码来自请求，或把 assert 作用于请求数据"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "php-callback"
        language = "php"
        confidence = "high"
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
        description_zh = "文件写入型木马：把请求数据写入由请求指定的文件，或按客户端文件名保存上传文件"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "php-file-dropper"
        language = "php"
        confidence = "medium"
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
        description_zh = "已知的 PHP 大马（WSO、c99、r57、b374k）特征"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
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

/* --- techniques -------------------------------------------------------------------------- */


rule php_small_request_to_sink : webshell php
{
    meta:
        description = "Small PHP file (under 4 KB) that reads request data (GET/POST/cookie/header/php://input/getenv/session/${'_PO'.'ST'}) and has a code or command sink (eval, assert, system, exec, include of a variable, backticks, preg_replace /e, mb_ereg_replace 'e')"
        description_zh = "小型 PHP 文件（4 KB 以内）同时读取请求数据并调用代码/命令执行函数（eval、assert、system、包含变量、反引号等），典型的一句话木马"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-input-to-sink"
        language = "php"
        confidence = "medium"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $src1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $src2 = /\$_SERVER\s{0,3}\[\s{0,3}['"](HTTP_|QUERY_STRING)/
        $src3 = /getenv\s{0,3}\(\s{0,3}['"]HTTP_/ nocase
        $src4 = "getallheaders" nocase
        $src5 = "apache_request_headers" nocase
        $src6 = "php://input" nocase
        $src7 = /\$\{\s{0,3}['"]_/
        $src8 = /\$GLOBALS\s{0,3}\[\s{0,3}['"]_[GPRCS]/
        $src9 = /'_[GPRCS][A-Z]{0,3}' ?\. ?'/
        $src11 = /"_[GPRCS][A-Z]{0,3}" ?\. ?"/
        $src10 = "$_SESSION["
        $upload = /\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]tmp_name/
        // a sink called as a statement or in an expression, not as a method or a declaration
        // the argument is not a fixed string: system('uptime') on a status page is no shell
        $sink1 = /([;{}()@=,!&|?\n]|echo|print|return|else|<\?php|<\?)[ \t]{0,40}(system|exec|shell_exec|passthru|popen|proc_open)[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(\s{0,3}@?\s{0,3}([^'"\s)]|'[^'\n]{0,80}'\s{0,3}\.|"[^"\n]{0,80}"\s{0,3}\.|"[^"\n]{0,80}\$)/ nocase
        // eval of PHP data ($x, a call, a PHP string join), not JavaScript's eval(xhr.responseText) in an inline script
        $sink1e = /([;{}()@=,!&|?\n]|echo|print|return|else|<\?php|<\?)[ \t]{0,40}eval[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(\s{0,3}@?\s{0,3}(\$|[a-z_]{2,30}\s{0,3}\(|'[^'\n]{0,80}'\s{0,3}\.|"[^"\n]{0,80}"\s{0,3}\.|"[^"\n]{0,80}\$)/ nocase
        $sink1b = /([;{}()@=,!&|?\n]|echo|print|return|else|<\?php|<\?)[ \t]{0,40}pcntl_exec[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(/ nocase
        $sink1c = /([;{}()@=,!&|?\n]|echo|print|return|else|<\?php|<\?)[ \t]{0,40}create_function[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(\s{0,3}(['"][^'"\n]{0,40}['"]\s{0,3},\s{0,3})?[^'"\s)]/ nocase
        // assert of data, not of a comparison as in tests
        $sink2 = /([;{}()@=,!&|?\n]|<\?php|<\?)[ \t]{0,40}assert[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(\s{0,3}@?\s{0,3}(\$[\w\[\]'"\->]{1,40}\s{0,3}\)|\$_|\$\{|[a-z_]{2,20}\s{0,3}\()/ nocase
        $sink3 = /(include|require)(_once)?[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(?[ \t]{0,5}@?([\x27"](data:|php:\/\/)|\$\{|\$_(GET|POST|REQUEST|COOKIE|SESSION)|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|getenv)/ nocase
        // include of a variable: only with request data proper (not $_SERVER, which picks config files)
        $inc_var = /(include|require)(_once)?[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(?[ \t]{0,5}@?\$[\w\[\]\x27"\->]{1,40}\s{0,3}\)?\s{0,3};/ nocase
        // a page router builds the path itself ('pages/' . basename($p) . '.php') and checks it
        $route_ext = /\.(php|inc|html?|tpl|phtml)['"]/ nocase
        $route_check = /(basename|realpath|in_array|array_key_exists|is_file|file_exists|preg_match)\s{0,3}\(/ nocase
        // backticks run a PHP variable ($c, {$c}), not a JavaScript template literal (`${x}`)
        $sink4 = /(echo|print)[ \t]{1,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?`[^`\n]{0,60}\$[A-Za-z_{]/
        $sink7 = /[=(][ \t]{0,3}`\$\w{1,20}`/
        $sink8 = /[=(][ \t]{0,3}`\{\$/
        $sink9 = /[@=(.][ \t]{0,3}`\s{0,3}\$_(GET|POST|REQUEST|COOKIE|SERVER)/
        $sink5 = /\/e['"],/
        // mb_ereg_replace with the 'e' option (evaluates the replacement), not a text clean-up
        $sink10a = ", 'e')"
        $sink10b = ",'e')"
        $sink10c = ", \"e\")"
        $sink10d = ",\"e\")"
        $sink6 = /mb_eregi?_replace\s{0,3}(\/\*[^*\n]{0,30}\*\/\s{0,3})?\([^;]{0,160},\s{0,3}['"][a-z]{0,4}e[a-z]{0,4}['"]\s{0,3}\)/ nocase
    condition:
        filesize < 4096 and $php and not php_webshell_eval_request and (
            (1 of ($src*) and 1 of ($sink*)) or
            ($inc_var and 1 of ($src1, $src3, $src4, $src5, $src6, $src7, $src8, $src9, $upload) and not $route_ext and not $route_check)
        )
}

rule php_small_request_callback : webshell php
{
    meta:
        description = "Small PHP file that reads request data and hands a callback sink (call_user_func, array_map, array_filter, usort, array_walk, array_udiff, array_uintersect, register_shutdown_function, ob_start, preg_replace_callback, Closure::fromCallable, XSLT registerPHPFunctions, ReflectionFunction) a function name built at run time, a variable set to a dangerous name, or a variable filled from the request"
        description_zh = "小型 PHP 文件读取请求数据，并把危险函数（assert、system 等，或运行时拼出的函数名）交给回调函数执行，绕过常规检测的回调型木马"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-callback"
        language = "php"
        confidence = "high"
        family = "php-one-liner"
        reference = "https://www.php.net/manual/en/language.types.callable.php"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $src1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $src2 = /\$_SERVER\s{0,3}\[\s{0,3}['"](HTTP_|QUERY_STRING)/
        $src3 = /getenv\s{0,3}\(\s{0,3}['"]HTTP_/ nocase
        $src4 = "getallheaders" nocase
        $src5 = "apache_request_headers" nocase
        $src6 = "php://input" nocase
        $src7 = /\$\{\s{0,3}['"]_/
        $src8 = /\$GLOBALS\s{0,3}\[\s{0,3}['"]_[GPRCS]/
        $src9 = /'_[GPRCS][A-Z]{0,3}' ?\. ?'/
        $src11 = /"_[GPRCS][A-Z]{0,3}" ?\. ?"/
        $src10 = "$_SESSION["
        $cb1 = /(call_user_func|call_user_func_array|array_map|array_filter|array_walk|array_walk_recursive|array_reduce|usort|uasort|uksort|array_udiff|array_udiff_assoc|array_udiff_uassoc|array_uintersect|array_uintersect_assoc|array_uintersect_uassoc|array_diff_ukey|array_diff_uassoc|array_intersect_ukey|array_intersect_uassoc|register_shutdown_function|register_tick_function|ob_start|preg_replace_callback|iterator_apply|forward_static_call|forward_static_call_array)[ \t]{0,5}(\/\*[^*\n]{0,30}\*\/[ \t]{0,5})?\(/ nocase
        $cb2 = "fromCallable" nocase
        $cb3 = "registerPHPFunctions" nocase
        $cb4 = "ReflectionFunction" nocase
        // the callee: a dangerous name, or one synthesised at run time
        $name = /\$\w{1,20}\s{0,3}=\s{0,3}['"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)['"]\s{0,3};/ nocase
        $syn1 = /['"][A-Za-z_]{1,20}' \. '[A-Za-z_]{1,20}['"]/
        $syn2 = /['"][A-Za-z_]{1,20}'\.'[A-Za-z_]{1,20}['"]/
        $syn3 = /['"][A-Za-z_]{1,20}" \. "[A-Za-z_]{1,20}['"]/
        $syn4 = /['"][A-Za-z_]{1,20}"\."[A-Za-z_]{1,20}['"]/
        $syn5 = /strrev\s{0,3}\(\s{0,3}['"]/ nocase
        $syn6 = /str_i?replace\s{0,3}\(\s{0,3}['"][^'"\n]{1,12}['"]\s{0,3},\s{0,3}['"]['"]\s{0,3},\s{0,3}['"]/ nocase
        $syn7 = /strtr\s{0,3}\(\s{0,3}['"]/ nocase
        $syn8a = "' ^ '"
        $syn8b = "'^'"
        $syn8c = "\" ^ \""
        $syn8d = "\"^\""
        $syn9a = "=~\""
        $syn9b = "= ~\""
        $syn9c = "=~'"
        $syn9d = "= ~'"
        $syn9e = "(~\""
        $syn9f = "(~'"
        $syn9g = ". ~\""
        $syn9h = ". ~'"
        $syn9i = ", ~\""
        $syn9j = ", ~'"
        $syn9k = ",~\""
        // chr() of letters (not chr(13).chr(10))
        $syn10 = /chr\s{0,3}\(\s{0,3}(6[5-9]|[78][0-9]|9[0579]|9[89]|1[01][0-9]|12[0-2]|0x[4-7][0-9a-f])\s{0,3}\)\s{0,3}\.\s{0,3}chr\s{0,3}\(/ nocase
        $syn11 = /\\x[67][0-9a-fA-F]\\x[67][0-9a-fA-F]\\x[67][0-9a-fA-F]/
        $syn12 = /\\1[0-7]{2}\\1[0-7]{2}\\1[0-7]{2}/
        $syn13 = /\\u\{[67][0-9a-fA-F]\}\\u\{/
        $syn14 = /(base64_decode|str_rot13|hex2bin|gzinflate|gzuncompress)\s{0,3}\(\s{0,3}['"][A-Za-z0-9+\/=_]{4,40}['"]\s{0,3}\)/ nocase
        // a name picked letter by letter from a string: $s[4] . $s[18] . $s[18] . $s[4]
        $syn15a = /\$\w{1,10}\[\d{1,2}\]( \. \$\w{1,10}\[\d{1,2}\]){3}/
        $syn15b = /\$\w{1,10}\[\d{1,2}\](\.\$\w{1,10}\[\d{1,2}\]){3}/
        $syn18 = /"[A-Za-z_]{1,16}\\x[4-7][0-9a-fA-F][A-Za-z_]{0,16}"/
        $syn19 = /"\\x[4-7][0-9a-fA-F][A-Za-z_]{1,16}"/
        $syn20 = /"[A-Za-z_]{1,16}\\1[0-7]{2}[A-Za-z_]{0,16}"/
        $syn21 = /"\\1[0-7]{2}[A-Za-z_]{1,16}"/
        // the callee is a variable filled from the request: $e = $_REQUEST['e']; usort($a, $e)
        $req_name = /\$\w{1,20}\s{0,3}=\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,40}\]\s{0,3};/
        $cb_var1 = /(call_user_func|call_user_func_array|array_map|register_shutdown_function|register_tick_function|ob_start|forward_static_call|forward_static_call_array)\s{0,3}\(\s{0,3}\$\w{1,20}(\[\d{1,2}\])?\s{0,3}[,)]/ nocase
        // a wrapper that calls its own first argument: run($_GET['f'], $_GET['x'])
        $fga = "func_get_args" nocase
        $cb_var2 = /(usort|uasort|uksort|array_filter|array_walk|array_walk_recursive|array_udiff|array_udiff_assoc|array_uintersect|array_uintersect_assoc|array_intersect_ukey|array_diff_ukey)\s{0,3}\([^;]{1,100},\s{0,3}\$\w{1,20}\s{0,3}\)/ nocase
    condition:
        filesize < 4096 and $php and 1 of ($src*) and not php_webshell_callback_request and (
            (1 of ($cb*) and ($name or 1 of ($syn*))) or
            (($req_name or $fga) and 1 of ($cb_var*))
        )
}

rule php_small_name_synthesis_call : webshell php obfuscation
{
    meta:
        description = "Small PHP file that reads request data, builds a function name at run time (split strings, strrev, str_replace/strtr junk, XOR or ~ of strings, chr() chains, escapes, string indexing, decoded literal) and calls it through a variable"
        description_zh = "小型 PHP 文件读取请求数据，用字符串拼接、反转、异或、取反、chr() 或转义序列在运行时拼出函数名并通过变量调用，是混淆型一句话木马"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-name-synthesis"
        language = "php"
        confidence = "high"
        family = "php-obfuscation"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $src1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $src2 = /\$_SERVER\s{0,3}\[\s{0,3}['"](HTTP_|QUERY_STRING)/
        $src3 = /getenv\s{0,3}\(\s{0,3}['"]HTTP_/ nocase
        $src4 = "getallheaders" nocase
        $src5 = "apache_request_headers" nocase
        $src6 = "php://input" nocase
        $src7 = /\$\{\s{0,3}['"]_/
        $src8 = /\$GLOBALS\s{0,3}\[\s{0,3}['"]_[GPRCS]/
        $src9 = /'_[GPRCS][A-Z]{0,3}' ?\. ?'/
        $src11 = /"_[GPRCS][A-Z]{0,3}" ?\. ?"/
        $src10 = "$_SESSION["
        // a call through a variable: $f($x), $f(@$x), $f('...'), $g()
        $dyn1 = /\$\w{0,20}[A-Za-z0-9_]\(\$[A-Za-z_{]/
        $dyn2 = /\$\w{0,20}[A-Za-z0-9_]\(@\$/
        $dyn3 = /\$\w{0,20}[A-Za-z0-9_]\('/
        $dyn4 = /\$\w{0,20}[A-Za-z0-9_]\("/
        $dyn5 = /\$\w{0,20}[A-Za-z0-9_]\((getenv|file_get_contents|base64_decode|trim|stripslashes)/
        $dyn6 = /\$\w{0,20}[A-Za-z0-9_]->invoke(Args)?\(/
        // the function name comes from the request: $f = $_GET['f']; ... $f($x) as a statement
        // the request (or the session it filled) copied whole or in part: $m = $_GET; $p = array_values($_POST)
        $copy1 = /=\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE|SESSION)\s{0,3};/
        $copy2 = /(array_values|array_keys|array_reverse|array_slice|end|reset|current|array_pop|array_shift)\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/
        // an array element called with another: $m['a']($m['b'])
        $elem = /\]\(@?\$\w{1,20}\[/
        $req_name = /\$\w{1,20}\s{0,3}=\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE|SESSION)\s{0,3}\[[^\]\n]{1,40}\]\s{0,3}[;)]/
        $stmt1 = /([;{}\n@=]|return|echo|print)[ \t]{0,20}\$\w{0,20}[A-Za-z0-9_]\(\$/
        $stmt2 = /([;{}\n@=]|return|echo|print)[ \t]{0,20}\$\w{0,20}[A-Za-z0-9_]\('/
        $stmt3 = /([;{}\n@=]|return|echo|print)[ \t]{0,20}\$\w{0,20}[A-Za-z0-9_]\("/
        $stmt4 = /([;{}\n@=]|return|echo|print)[ \t]{0,20}\$\w{0,20}[A-Za-z0-9_]\((getenv|file_get_contents)/
        $syn1 = /['"][A-Za-z_]{1,20}' \. '[A-Za-z_]{1,20}['"]/
        $syn2 = /['"][A-Za-z_]{1,20}'\.'[A-Za-z_]{1,20}['"]/
        $syn3 = /['"][A-Za-z_]{1,20}" \. "[A-Za-z_]{1,20}['"]/
        $syn4 = /['"][A-Za-z_]{1,20}"\."[A-Za-z_]{1,20}['"]/
        $syn5 = /strrev\s{0,3}\(\s{0,3}['"]/ nocase
        $syn6 = /str_i?replace\s{0,3}\(\s{0,3}['"][^'"\n]{1,12}['"]\s{0,3},\s{0,3}['"]['"]\s{0,3},\s{0,3}['"]/ nocase
        $syn7 = /strtr\s{0,3}\(\s{0,3}['"]/ nocase
        $syn8a = "' ^ '"
        $syn8b = "'^'"
        $syn8c = "\" ^ \""
        $syn8d = "\"^\""
        $syn9a = "=~\""
        $syn9b = "= ~\""
        $syn9c = "=~'"
        $syn9d = "= ~'"
        $syn9e = "(~\""
        $syn9f = "(~'"
        $syn9g = ". ~\""
        $syn9h = ". ~'"
        $syn9i = ", ~\""
        $syn9j = ", ~'"
        $syn9k = ",~\""
        // chr() of letters (not chr(13).chr(10))
        $syn10 = /chr\s{0,3}\(\s{0,3}(6[5-9]|[78][0-9]|9[0579]|9[89]|1[01][0-9]|12[0-2]|0x[4-7][0-9a-f])\s{0,3}\)\s{0,3}\.\s{0,3}chr\s{0,3}\(/ nocase
        $syn11 = /\\x[67][0-9a-fA-F]\\x[67][0-9a-fA-F]\\x[67][0-9a-fA-F]/
        $syn12 = /\\1[0-7]{2}\\1[0-7]{2}\\1[0-7]{2}/
        $syn13 = /\\u\{[67][0-9a-fA-F]\}\\u\{/
        $syn14 = /(base64_decode|str_rot13|hex2bin|gzinflate|gzuncompress)\s{0,3}\(\s{0,3}['"][A-Za-z0-9+\/=_]{4,40}['"]\s{0,3}\)/ nocase
        // a name picked letter by letter from a string: $s[4] . $s[18] . $s[18] . $s[4]
        $syn15a = /\$\w{1,10}\[\d{1,2}\]( \. \$\w{1,10}\[\d{1,2}\]){3}/
        $syn15b = /\$\w{1,10}\[\d{1,2}\](\.\$\w{1,10}\[\d{1,2}\]){3}/
        $syn16 = /(=|ReflectionFunction\s{0,3}\(|define\s{0,3}\(\s{0,3}['"]\w{1,30}['"]\s{0,3},)\s{0,3}['"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)['"]/ nocase
        $syn17 = "ReflectionFunction" nocase
        // a name joined from variables: $c = $a . $b;
        $syn22 = /\$\w{1,20} \. \$\w{1,20}( \. \$\w{1,20}){0,4};/
        $syn23 = /\$\w{1,20}\.\$\w{1,20}(\.\$\w{1,20}){0,4};/
        $syn18 = /"[A-Za-z_]{1,16}\\x[4-7][0-9a-fA-F][A-Za-z_]{0,16}"/
        $syn19 = /"\\x[4-7][0-9a-fA-F][A-Za-z_]{1,16}"/
        $syn20 = /"[A-Za-z_]{1,16}\\1[0-7]{2}[A-Za-z_]{0,16}"/
        $syn21 = /"\\1[0-7]{2}[A-Za-z_]{1,16}"/
    condition:
        filesize < 4096 and $php and 1 of ($src*) and (
            (1 of ($dyn*) and 1 of ($syn*)) or
            ($req_name and 1 of ($stmt*)) or
            (1 of ($copy*) and (1 of ($stmt*) or $elem))
        )
}

rule php_request_to_sink_nearby : webshell php
{
    meta:
        description = "PHP request data (GET/POST/cookie/header, getenv('HTTP_...'), php://input, ${'_PO'.'ST'}) reaching a code or command sink in the same expression or through a variable set just before, in a file of any size"
        description_zh = "PHP 请求数据（GET/POST/Cookie/请求头、getenv、php://input 等）在同一表达式内或经由紧邻的变量传入代码/命令执行函数，可发现藏在大文件中的木马"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-input-to-sink"
        language = "php"
        confidence = "high"
        family = "php-one-liner"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        // system(getenv('HTTP_X')), eval(file_get_contents('php://input')), exec(${'_PO'.'ST'}['x'])
        $nest = /[^\w$>:.\\](eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)\s{0,3}\(\s{0,3}@?\s{0,3}(['"][^'"\n]{0,20}['"]\s{0,3},\s{0,3}|\w{2,20}\s{0,3}\(\s{0,3}){0,4}(getenv\s{0,3}\(\s{0,3}['"]HTTP_|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input|\$\{\s{0,3}['"]_|\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_)/ nocase
        // $p = $_POST['x']; system($p);
        // one regex for the three: evaluated once at each request read
        $hop = /(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,40}\]|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_[^\]\n]{1,40}\]|getenv\s{0,3}\(\s{0,3}['"]HTTP_[^)\n]{1,40}\)|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input['"]\s{0,3}\))[^;\n]{0,40};\s{0,20}([^;\n]{0,60}[^\w$>:.\\](eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function)\s{0,3}\(\s{0,3}@?\s{0,3}(['"][^'"\n]{0,20}['"]\s{0,3},\s{0,3}|\w{2,20}\s{0,3}\(\s{0,3}){0,4}\$\w{1,20}(\[[^\]\n]{1,20}\]|->\w{1,20})?\s{0,3}[,)]|@?(include|require)(_once)?[ \t(]{1,3}(['"]data:[^'"\n]{0,40}['"]\s{0,3}\.\s{0,3})?\$\w{1,20}\s{0,3}\)?\s{0,3};|(echo|print|\$\w{1,20}\s{0,3}=)\s{0,3}`\$\w{1,20}`)/ nocase
        // include $_GET['p'], include 'php://input', require 'data://text/plain;base64,' . $x
        $inc_req = /(include|require)(_once)?[ \t(]{1,3}@?\s{0,3}(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|getenv\s{0,3}\(\s{0,3}['"]HTTP_)/ nocase
        $inc_input = /(include|require)(_once)?[ \t(]{1,3}['"]php:\/\/input/ nocase
        $inc_data = /(include|require)(_once)?[ \t(]{1,3}['"]data:[^'"\n]{0,60}['"]\s{0,3}\.\s{0,3}@?(\$_(GET|POST|REQUEST|COOKIE)|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|getenv|php:\/\/input)/ nocase
        $tick_req = /(echo|print|return|=|\(|@)[ \t]{0,3}`[^`'"\n]{0,20}\$_(GET|POST|REQUEST|COOKIE)/
        $tick_req2 = /`\s{0,3}\{\$_(GET|POST|REQUEST|COOKIE)/
        // mb_ereg_replace('.*', $_POST['x'], '', 'e')
        $mb_e = /mb_eregi?_replace\s{0,3}\([^;]{0,160},\s{0,3}['"][a-z]{0,4}e[a-z]{0,4}['"]\s{0,3}\)/ nocase
        // preg_replace('/.*/e', $code, ...): the /e modifier with a replacement that is not a literal
        $pe = /preg_replace\s{0,3}\(\s{0,3}['"][^'"\n]{1,100}[\/#~|!@%][imsxuU]{0,4}e[imsxuU]{0,4}['"]\s{0,3},\s{0,3}@?\s{0,3}(\$|[a-z_]{2,30}\s{0,3}\()/ nocase
    condition:
        any of them and not php_webshell_eval_request
}

rule php_callback_dangerous_name : webshell php
{
    meta:
        description = "A callback-taking PHP function handed a code or command function by name in the callback's place (usort($a, 'assert'), ob_start('assert'), Closure::fromCallable('system'), XSLT php:function('system')), a variable set to such a name and called at once, or a callback chosen by the request (usort($a, $_GET['f']))"
        description_zh = "PHP 回调函数被直接传入 assert、system 等危险函数名（如 usort($a,'assert')、ob_start('assert')），或回调函数由请求参数指定，正常程序不会这样写，属于回调型木马"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-callback"
        language = "php"
        confidence = "high"
        family = "php-one-liner"
        reference = "https://www.php.net/manual/en/language.types.callable.php"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        // the dangerous name in the callback's own place: first argument, last argument (the call ends there), or array_reduce's second
        $cb = /[^\w$>:.](call_user_func|call_user_func_array|array_map|register_shutdown_function|register_tick_function|ob_start|forward_static_call|forward_static_call_array)\s{0,3}(\/\*[^*\n]{0,30}\*\/\s{0,3})?\(\s{0,3}['\"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)['\"]\s{0,3}[,)]/ nocase
        $cb_last = /[^\w$>:.](array_filter|array_walk|array_walk_recursive|usort|uasort|uksort|array_udiff|array_udiff_assoc|array_udiff_uassoc|array_uintersect|array_uintersect_assoc|array_uintersect_uassoc|array_diff_ukey|array_diff_uassoc|array_intersect_ukey|array_intersect_uassoc)\s{0,3}(\/\*[^*\n]{0,30}\*\/\s{0,3})?\([^;]{0,100},\s{0,3}['\"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)['\"]\s{0,3}\)\s{0,3};/ nocase
        // ArrayObject/ArrayIterator sorting with a dangerous callback: $o->uasort('assert')
        $cb_meth = /->(uasort|uksort)\s{0,3}\(\s{0,3}['"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)['"]\s{0,3}\)/ nocase
        $cb_mid = /[^\w$>:.]array_reduce\s{0,3}(\/\*[^*\n]{0,30}\*\/\s{0,3})?\([^,;]{1,80},\s{0,3}['\"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)['\"]\s{0,3}[,)]/ nocase
        $var = /\$\w{1,20}\s{0,3}=\s{0,3}['"](assert|system|shell_exec|passthru|popen|proc_open|pcntl_exec)['"]\s{0,3};\s{0,10}[^;\n]{0,30}\$\w{1,20}\s{0,3}\(\s{0,3}@?\$\w/ nocase
        // the callback is the request's choice: usort($a, $_GET['f']), ob_start($_POST['f']), new ReflectionFunction($_GET['f'])
        $req_last = /[^\w$>:.](usort|uasort|uksort|array_filter|array_walk|array_walk_recursive|array_reduce|array_udiff|array_udiff_assoc|array_uintersect|array_uintersect_assoc|array_diff_ukey|array_intersect_ukey)\s{0,3}\([^;]{0,100},\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\)/ nocase
        $req_first = /[^\w$>:.](call_user_func|call_user_func_array|array_map|register_shutdown_function|register_tick_function|ob_start|forward_static_call|forward_static_call_array|fromCallable|new\s{1,3}ReflectionFunction)\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $req_mid = /array_reduce\s{0,3}\([^,;]{1,80},\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $req_from = /fromCallable\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $req_prc = /preg_replace_callback\s{0,3}\([^,;]{1,100},\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $req_xsl = /php:function\s{0,3}\(\s{0,3}\\?['"]['"]\s{0,3}\.\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $from = /fromCallable\s{0,3}(\/\*[^*\n]{0,30}\*\/\s{0,3})?\(\s{0,3}['"](assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)['"]/ nocase
        $xsl = /php:function\s{0,3}\(\s{0,3}(\\?['"]|&quot;|&apos;)(['"]\s{0,3}\.\s{0,3}['"])?(assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)/ nocase
    condition:
        $php and 1 of ($cb*, $var, $from, $xsl, $req*) and not php_webshell_callback_request
}

rule php_encoded_payload_eval : webshell php obfuscation
{
    meta:
        description = "A long base64/hex literal decoded into a variable that is evaluated right after ($c = base64_decode('...'); eval($c);)"
        description_zh = "PHP 把一长串 base64 编码的内容解码到变量后立即用 eval/assert 执行，是加密/编码型木马的外壳"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "php-encoded-eval"
        language = "php"
        confidence = "high"
        family = "php-obfuscation"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $dec_eval = /(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|hex2bin|convert_uudecode)\s{0,3}\(\s{0,3}['"][A-Za-z0-9+\/=]{24}[A-Za-z0-9+\/=]{0,8000}['"]\s{0,3}\){1,4}\s{0,3};\s{0,40}@?\s{0,3}(eval|assert)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\)/ nocase
    condition:
        $dec_eval
}

rule php_image_polyglot : webshell php
{
    meta:
        description = "An image header (GIF/JPEG/PNG) followed by PHP code that reads the request or runs code: an upload that passes an image check and runs as PHP"
        description_zh = "文件以图片头（GIF89a、JPEG、PNG）开头却包含读取请求或执行代码的 PHP 代码，是伪装成图片上传的木马"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "php-image-polyglot"
        language = "php"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1036/008/"
    strings:
        $php = /<\?(php|=)/ nocase
        $a1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $a2 = /[^\w$>:.](eval|assert|system|passthru|shell_exec|create_function)\s{0,3}\(/ nocase
        $a3 = "php://input" nocase
    condition:
        (uint32(0) == 0x38464947 or uint32(0) == 0xe0ffd8ff or uint32(0) == 0xe1ffd8ff or uint32(0) == 0x474e5089)
        and $php and 1 of ($a*)
}

rule php_small_dropper : webshell php
{
    meta:
        description = "Small PHP file that writes a file from the request: the target named by the request, or an executable name (.php/.phtml/...) filled with request, uploaded, decoded or downloaded content"
        description_zh = "小型 PHP 文件把请求数据、上传文件、解码或远程下载的内容写成文件，文件名由请求指定或为 .php 等可执行扩展名，是木马投放器（上传后门）"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "php-file-dropper"
        language = "php"
        confidence = "medium"
        family = "php-uploader"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        // the request names the target: file_put_contents($_GET['n'], ...), fopen($_POST['n'], 'w')
        $name_req = /(file_put_contents|fopen)\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $name_req2 = /(copy|move_uploaded_file|rename)\s{0,3}\([^,;]{1,80},\s{0,3}@?(['"][^'"\n]{0,40}['"]\s{0,3}\.\s{0,3})?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        // $n = $_POST['n']; file_put_contents($n, ...): the write follows within two statements
        $name_var = /\$\w{1,20}\s{0,3}=\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,40}\]\s{0,3};([^;]{0,120};){0,2}[^;]{0,40}[^\w$>:.]((file_put_contents|fopen)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},|(copy|move_uploaded_file)\s{0,3}\([^,;]{1,80},\s{0,3}\$\w{1,20}\s{0,3}\))/ nocase
        // an executable target name
        $name_exe = /(file_put_contents|fopen)\s{0,3}\(\s{0,3}[^,;]{0,40}['"][^'"\n]{0,60}\.(php\d?|phtml|phar|pht|asp|aspx|jsp)['"]\s{0,3},/ nocase
        $name_exe2 = /(copy|move_uploaded_file|rename)\s{0,3}\([^,;]{1,80},\s{0,3}[^,;)]{0,40}['"][^'"\n]{0,60}\.(php\d?|phtml|phar|pht|asp|aspx|jsp)['"]\s{0,3}\)/ nocase
        $name_split = /['"]\.ph['"]\s{0,3}\.\s{0,3}['"]/ nocase
        // what is written: request data, an upload, decoded or downloaded content
        $c1 = /\$_(GET|POST|REQUEST|COOKIE|FILES)\b/
        $c2 = "php://input" nocase
        $c3 = /file_get_contents\s{0,3}\(\s{0,3}['"](https?|ftp):\/\// nocase
        $c4 = "curl_exec" nocase
        // PHP code kept as base64: '<?php' and '<?=' encode to PD9waH / PD89
        $c5 = /['"](PD9waH|PD89)/
        $w = /[^\w$>:.](file_put_contents|fwrite|fputs|copy|move_uploaded_file)\s{0,3}\(/ nocase
    condition:
        filesize < 4096 and $php and not php_webshell_file_dropper and (
            $name_req or $name_req2 or $name_var or
            ((1 of ($name_exe*) or ($name_split and $w)) and 1 of ($c*))
        )
}

rule php_nonalnum_shell : webshell php obfuscation
{
    meta:
        description = "PHP written without letters or digits: function and superglobal names XORed from punctuation ('!'^'@'), fetched through $$__ and called as $_($___[...])"
        description_zh = "不含字母数字的 PHP 木马：用标点符号异或拼出函数名和 $_POST 等变量名，再以 $_($___[...]) 形式调用，正常程序不会这样写"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "php-name-synthesis"
        language = "php"
        confidence = "high"
        family = "php-obfuscation"
        reference = "https://www.php.net/manual/en/language.operators.bitwise.php"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        // $_($___['_']), $__($_[_]): a call through an underscore-only variable with an element of another
        $call = /\$_{1,8}\s{0,3}\(\s{0,3}@?\$_{1,8}\s{0,3}\[/
        $call2 = /\$\{\s{0,3}\$_{1,8}\s{0,3}\}\s{0,3}\[[^\]\n]{0,10}\]\s{0,3}\(/
        $vv = /\$\$_{1,8}\s{0,3}[;)\[]/
        $x1 = "'^'"
        $x2 = "\"^\""
        $x3 = "' ^ '"
        $x4 = "\" ^ \""
        $x5 = "'|'"
        $x6 = "'&'"
    condition:
        filesize < 16384 and $php and ($call2 or ($call and ($vv or (#x1 + #x2 + #x3 + #x4 + #x5 + #x6) >= 4)))
}

rule php_request_sink_shell_traits : webshell php
{
    meta:
        description = "Medium-size PHP file (under 128 KB) with request data, a command or code sink on a variable and several traits of a webshell page (php_uname, disable_functions, safe_mode, getcwd, set_time_limit(0), error_reporting(0), /bin/sh, cmd.exe, 2>&1, fsockopen, uploads)"
        description_zh = "中等大小的 PHP 文件同时包含请求数据、以变量为参数的命令/代码执行函数，以及多项木马页面特征（php_uname、disable_functions、getcwd、/bin/sh、cmd.exe、2>&1、反弹连接、上传等）"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "php-input-to-sink"
        language = "php"
        confidence = "medium"
        family = "php-shell-kit"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $src1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $src2 = "php://input" nocase
        $src3 = /\$\{\s{0,3}['"]_/
        // the sink runs a variable, not a fixed command as a server status page does
        $sink1 = /[^\w$>:.\\](system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert)\s{0,3}\(\s{0,3}@?\$/ nocase
        $sink2 = /[=(][ \t]{0,3}`\$\w{1,20}`/
        $sink3 = /(echo|print|return)[ \t]{1,5}`\$\w{1,20}`/
        $t1 = "php_uname" nocase
        $t2 = "disable_functions" nocase
        $t3 = "safe_mode" nocase
        $t4 = "posix_getpwuid" nocase
        $t5 = /set_time_limit\s{0,3}\(\s{0,3}0\s{0,3}\)/ nocase
        $t6 = /error_reporting\s{0,3}\(\s{0,3}0\s{0,3}\)/ nocase
        $t7 = "ignore_user_abort" nocase
        $t8 = /\/bin\/(ba)?sh/
        $t9 = "cmd.exe" nocase
        $t10 = "2>&1"
        $t11 = "fsockopen" nocase
        $t12 = "move_uploaded_file" nocase
        $t13 = /getcwd\s{0,3}\(\s{0,3}\)/ nocase
        $t14 = "uname -a"
        $t15 = "whoami"
        $t16 = "fileperms" nocase
    condition:
        $php and 1 of ($src*) and 1 of ($sink*) and
        ((filesize < 32KB and 3 of ($t*)) or (filesize < 128KB and 4 of ($t*)))
}

rule php_name_synthesis_call_medium : webshell php obfuscation
{
    meta:
        description = "PHP file under 64 KB that reads request data and, in the statement right before a call through a variable, hides the function name (XOR or ~ of strings, chr() of letters, escaped letters, strrev/str_replace/strtr of literals, string indexing)"
        description_zh = "64 KB 以内的 PHP 文件读取请求数据，并在变量调用之前的语句中用异或、取反、chr()、转义序列、字符串反转/替换或按下标取字符拼出函数名，是加了填充的混淆木马"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "php-name-synthesis"
        language = "php"
        confidence = "medium"
        family = "php-obfuscation"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $src1 = /\$_(GET|POST|REQUEST|COOKIE)\b/
        $src2 = /\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_/
        $src3 = /getenv\s{0,3}\(\s{0,3}['"]HTTP_/ nocase
        $src4 = "php://input" nocase
        $src5 = /\$\{\s{0,3}['"]_/
        // a hidden name in the statement just before a call through a variable: $f = '...' ^ '...'; $f($x)
        $m_xor1 = /' \^ '[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_xor2 = /'\^'[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_xor3 = /" \^ "[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_xor4 = /"\^"[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_not1 = /~\s{0,3}"\\x[89a-fA-F][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_chr = /chr\s{0,3}\(\s{0,3}(6[5-9]|[78][0-9]|9[0579]|9[89]|1[01][0-9]|12[0-2]|0x[4-7][0-9a-f])\s{0,3}\)\s{0,3}\.\s{0,3}chr\s{0,3}\([^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/ nocase
        $m_hex1 = /[A-Za-z_]\\x[4-7][0-9a-fA-F][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_hex2 = /\\x[4-7][0-9a-fA-F][A-Za-z_][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_hex3 = /\\x[4-7][0-9a-fA-F]\\x[4-7][0-9a-fA-F][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_oct1 = /[A-Za-z_]\\1[0-7]{2}[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_oct2 = /\\1[0-7]{2}[A-Za-z_][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_oct3 = /\\1[0-7]{2}\\1[0-7]{2}[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_uni = /\\u\{[4-7][0-9a-fA-F]\}[^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
        $m_rev = /strrev\s{0,3}\(\s{0,3}['\"][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/ nocase
        $m_junk = /str_i?replace\s{0,3}\(\s{0,3}['\"][^'\"\n]{1,12}['\"]\s{0,3},\s{0,3}['\"]['\"]\s{0,3},\s{0,3}['\"][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/ nocase
        $m_tr = /strtr\s{0,3}\(\s{0,3}['\"][^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/ nocase
        $m_idx = /\$\w{1,10}\[\d{1,2}\] \. \$\w{1,10}\[\d{1,2}\] \. [^;\n]{0,300};\s{0,20}@?\$\w{1,20}\s{0,3}\(/
    condition:
        filesize < 65536 and $php and 1 of ($src*) and 1 of ($m_*)
}

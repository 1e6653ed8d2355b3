/*
 * AntSword (蚁剑): open-source webshell manager. Its stock PHP shell calls assert under a base64
 * alias; its PHP payloads define asenc()/asoutput() to wrap the reply between random markers.
 */

rule antsword_php_shell : webshell php antsword
{
    meta:
        description = "AntSword (蚁剑) PHP shell: 'assert' decoded from base64 and called on a request parameter"
        description_zh = "蚁剑 PHP 木马：base64 解出 assert 并执行请求参数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "AntSword"
        reference = "https://github.com/AntSwordProject/antSword"
    strings:
        $alias = /\$\w{1,20}\s*=\s*base64_decode\s*\(\s*['"]YXNzZXJ0['"]\s*\)/
        $call = /\$\w{1,20}\s*\(\s*@?\s*\$_(POST|GET|REQUEST)\s*\[/
    condition:
        filesize < 50KB and $alias and $call
}

rule antsword_php_payload : webshell php antsword
{
    meta:
        description = "AntSword (蚁剑) PHP payload: asenc()/asoutput() reply wrappers (in a dropped file, a log or a capture)"
        description_zh = "蚁剑 PHP 载荷：asenc()/asoutput() 回显包装函数（落地文件、日志或流量）"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "AntSword"
        reference = "https://github.com/AntSwordProject/antSword"
    strings:
        $enc = /asenc\s*\(\s*\$\w{1,20}\s*\)\s*\{/
        $out = /asoutput\s*\(\s*\)\s*\{/
    condition:
        $enc and $out
}

rule antsword_php_basedir_payload : webshell php antsword
{
    meta:
        description = "AntSword (蚁剑) PHP payload preamble: open_basedir walk split on base64 '/;|:/' (Lzt8Oi8=) with asenc/asoutput or the $opdir/$oparr variables"
        description_zh = "蚁剑 PHP 载荷前导代码：绕过 open_basedir 的 $opdir/$oparr 逻辑（base64 'Lzt8Oi8='），见于落地文件、日志或流量"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "AntSword"
        reference = "https://github.com/AntSwordProject/antSword"
    strings:
        $split = "Lzt8Oi8="
        $opdir = /\$opdir\s*=\s*@?\s*ini_get\s*\(\s*["']open_basedir["']\s*\)/
        $oparr = /\$oparr\s*=\s*preg_split\s*\(/
        $enc = /asenc\s*\(\s*\$\w{1,20}\s*\)/
        $out = /asoutput\s*\(\s*\)/
    condition:
        $split and 2 of ($opdir, $oparr, $enc, $out)
}

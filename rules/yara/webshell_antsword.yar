/*
 * AntSword (蚁剑): open-source webshell manager. Its stock PHP shell calls assert under a base64
 * alias; its PHP payloads define asenc()/asoutput() to wrap the reply between random markers.
 */

rule antsword_php_shell : webshell php antsword
{
    meta:
        description = "AntSword (蚁剑) PHP shell: 'assert' decoded from base64 and called on a request parameter"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
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
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "AntSword"
        reference = "https://github.com/AntSwordProject/antSword"
    strings:
        $enc = /asenc\s*\(\s*\$\w{1,20}\s*\)\s*\{/
        $out = /asoutput\s*\(\s*\)\s*\{/
    condition:
        $enc and $out
}

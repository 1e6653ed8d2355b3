/*
 * PHP obfuscation chains used to hide webshells: eval of decoded data, nested decoders over long
 * encoded literals, and dangerous function names spelled indirectly (split, base64, rot13,
 * reversed, hex/octal escapes, chr() chains). Stock PHP applications do none of these.
 */

rule php_obfuscated_eval_decoder : webshell php obfuscation
{
    meta:
        description = "eval/assert/create_function of decoded data: eval(base64_decode(...)), eval(gzinflate(...)), eval(str_rot13(...)), eval(urldecode(...)), or code written as hex/octal escapes"
        description_zh = "eval/assert 执行解码后的数据（base64_decode、gzinflate、str_rot13 等），是加密木马的常见外壳"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "php-encoded-eval"
        language = "php"
        confidence = "high"
        family = "php-obfuscation"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $e = /[^\w$>:.\\](eval|assert)\s*\(\s*@?\s*(['"]\?>['"]\s*\.\s*)?(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode|hex2bin|rawurldecode|urldecode|pack)\s*\(/ nocase
        // eval("\x73\x79..."), eval("\163\171..."): the code written as escapes
        $hex = /[^\w$>:.\\](eval|assert)\s{0,3}\(\s{0,3}"(\\x[0-9a-fA-F]{2}){8}/ nocase
        $oct = /[^\w$>:.\\](eval|assert)\s{0,3}\(\s{0,3}"(\\[0-7]{2,3}){8}/ nocase
        // create_function('', base64_decode('...')): the same, one step removed
        $cf = /create_function\s{0,3}\(\s{0,3}['"][^'"\n]{0,40}['"]\s{0,3},\s{0,3}(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode|hex2bin|rawurldecode|urldecode)\s{0,3}\(/ nocase
    condition:
        any of them
}

rule php_obfuscated_decoder_chain : webshell php obfuscation
{
    meta:
        description = "Nested decoders over a long encoded literal (gzinflate(base64_decode('...'))) in a file that evals a variable"
        description_zh = "多层解码函数嵌套处理一长串编码内容，并在同一文件中 eval 变量，是加密木马"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "php-encoded-eval"
        language = "php"
        confidence = "high"
        family = "php-obfuscation"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $chain = /(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev)\s*\(\s*(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev)\s*\(\s*(\w{2,20}\s*\(\s*){0,2}['"][A-Za-z0-9+\/=\\]{200}/ nocase
        $eval_var = /[^\w$>:.\\](eval|assert)\s*\(\s*@?\s*\$\w{1,30}\s*\)/ nocase
    condition:
        $chain and $eval_var
}

rule php_obfuscated_function_name : webshell php obfuscation
{
    meta:
        description = "Dangerous PHP function name written indirectly: split ('ass'.'ert'), base64/rot13/reversed literal, hex or octal escapes, chr() chains"
        description_zh = "危险函数名被拆分、编码（base64/rot13/反转）、十六进制/八进制转义或 chr() 拼接，用来躲避检测"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        technique = "php-name-synthesis"
        language = "php"
        confidence = "medium"
        family = "php-obfuscation"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $split_assert = /['"](a['"]\s*\.\s*['"]ssert|as['"]\s*\.\s*['"]sert|ass['"]\s*\.\s*['"]ert|asse['"]\s*\.\s*['"]rt|asser['"]\s*\.\s*['"]t)['"]/ nocase
        $split_b64 = /['"](b['"]\s*\.\s*['"]ase64_decode|ba['"]\s*\.\s*['"]se64_decode|bas['"]\s*\.\s*['"]e64_decode|base['"]\s*\.\s*['"]64_decode|base6['"]\s*\.\s*['"]4_decode|base64['"]\s*\.\s*['"]_decode|base64_['"]\s*\.\s*['"]decode|base64_d['"]\s*\.\s*['"]ecode|base64_de['"]\s*\.\s*['"]code|base64_dec['"]\s*\.\s*['"]ode|base64_deco['"]\s*\.\s*['"]de|base64_decod['"]\s*\.\s*['"]e)['"]/ nocase
        $split_system = /['"](s['"]\s*\.\s*['"]ystem|sy['"]\s*\.\s*['"]stem|sys['"]\s*\.\s*['"]tem|syst['"]\s*\.\s*['"]em|syste['"]\s*\.\s*['"]m)['"]/ nocase
        $split_shell = /['"](s['"]\s*\.\s*['"]hell_exec|sh['"]\s*\.\s*['"]ell_exec|she['"]\s*\.\s*['"]ll_exec|shel['"]\s*\.\s*['"]l_exec|shell['"]\s*\.\s*['"]_exec|shell_['"]\s*\.\s*['"]exec|shell_e['"]\s*\.\s*['"]xec|shell_ex['"]\s*\.\s*['"]ec|shell_exe['"]\s*\.\s*['"]c)['"]/ nocase
        $split_create = /['"](c['"]\s*\.\s*['"]reate_function|cr['"]\s*\.\s*['"]eate_function|cre['"]\s*\.\s*['"]ate_function|crea['"]\s*\.\s*['"]te_function|creat['"]\s*\.\s*['"]e_function|create['"]\s*\.\s*['"]_function|create_['"]\s*\.\s*['"]function|create_f['"]\s*\.\s*['"]unction|create_fu['"]\s*\.\s*['"]nction|create_fun['"]\s*\.\s*['"]ction|create_func['"]\s*\.\s*['"]tion|create_funct['"]\s*\.\s*['"]ion|create_functi['"]\s*\.\s*['"]on|create_functio['"]\s*\.\s*['"]n)['"]/ nocase
        $split_gzinflate = /['"](g['"]\s*\.\s*['"]zinflate|gz['"]\s*\.\s*['"]inflate|gzi['"]\s*\.\s*['"]nflate|gzin['"]\s*\.\s*['"]flate|gzinf['"]\s*\.\s*['"]late|gzinfl['"]\s*\.\s*['"]ate|gzinfla['"]\s*\.\s*['"]te|gzinflat['"]\s*\.\s*['"]e)['"]/ nocase
        $split_rot13 = /['"](s['"]\s*\.\s*['"]tr_rot13|st['"]\s*\.\s*['"]r_rot13|str['"]\s*\.\s*['"]_rot13|str_['"]\s*\.\s*['"]rot13|str_r['"]\s*\.\s*['"]ot13|str_ro['"]\s*\.\s*['"]t13|str_rot['"]\s*\.\s*['"]13|str_rot1['"]\s*\.\s*['"]3)['"]/ nocase
        $split_passthru = /['"](p['"]\s*\.\s*['"]assthru|pa['"]\s*\.\s*['"]ssthru|pas['"]\s*\.\s*['"]sthru|pass['"]\s*\.\s*['"]thru|passt['"]\s*\.\s*['"]hru|passth['"]\s*\.\s*['"]ru|passthr['"]\s*\.\s*['"]u)['"]/ nocase
        $b64_name = /['"](YXNzZXJ0|c3lzdGVt|c2hlbGxfZXhlYw==|cGFzc3RocnU=|cHJvY19vcGVu|Y3JlYXRlX2Z1bmN0aW9u|YmFzZTY0X2RlY29kZQ==|Z3ppbmZsYXRl|c3RyX3JvdDEz)['"]/
        $rot13_name = /['"](nffreg|flfgrz|furyy_rkrp|cnffgueh|cebp_bcra|perngr_shapgvba|onfr64_qrpbqr|tmvasyngr|fge_ebg13)['"]/
        $rev_name = /['"](tressa|metsys|cexe_llehs|urhtssap|nepo_corp|noitcnuf_etaerc|edoced_46esab|etalfnizg|31tor_rts)['"]/
        $hex_assert = "\\x61\\x73\\x73\\x65\\x72\\x74" nocase
        $hex_eval = "\\x65\\x76\\x61\\x6c" nocase
        $hex_system = "\\x73\\x79\\x73\\x74\\x65\\x6d" nocase
        $hex_b64 = "\\x62\\x61\\x73\\x65\\x36\\x34\\x5f" nocase
        $hex_gzin = "\\x67\\x7a\\x69\\x6e\\x66\\x6c" nocase
        $oct_assert = "\\141\\163\\163\\145\\162\\164"
        $oct_b64 = "\\142\\141\\163\\145\\66\\64\\137"
        $chr_assert = /chr\s*\(\s*97\s*\)\s*\.\s*chr\s*\(\s*115\s*\)\s*\.\s*chr\s*\(\s*115\s*\)/ nocase
        $chr_eval = /chr\s*\(\s*101\s*\)\s*\.\s*chr\s*\(\s*118\s*\)\s*\.\s*chr\s*\(\s*97\s*\)\s*\.\s*chr\s*\(\s*108\s*\)/ nocase
        $chr_system = /chr\s*\(\s*115\s*\)\s*\.\s*chr\s*\(\s*121\s*\)\s*\.\s*chr\s*\(\s*115\s*\)/ nocase
    condition:
        $php and 1 of ($split*, $b64*, $rot13*, $rev*, $hex*, $oct*, $chr*)
}

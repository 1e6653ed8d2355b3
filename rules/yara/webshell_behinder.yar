/*
 * Behinder (冰蝎): encrypted webshell. The server decrypts the request body with AES (or XOR when
 * OpenSSL is missing) under a key derived from the password (default: the first 16 hex digits of
 * md5("rebeyond")), keeps the key in the session, and runs the decrypted payload: eval in PHP,
 * a class defined from the bytes in JSP, an assembly loaded from them in ASPX.
 */

rule behinder_php : webshell php behinder
{
    meta:
        description = "Behinder (冰蝎) PHP server: session key, AES128/XOR decryption of php://input, eval through __invoke"
        description_zh = "冰蝎 PHP 服务端：会话保存密钥，AES128/XOR 解密 php://input 后执行"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $key = "e45e329feb5d925b"
        $sess = /\$_SESSION\s*\[\s*['"]k['"]\s*\]\s*=\s*\$\w{1,20}/
        $aes = /openssl_decrypt\s*\(\s*(base64_decode\s*\(\s*)?\$\w{1,20}\s*\)?\s*,\s*['"]AES(128|-128-ECB)['"]\s*,\s*\$\w{1,20}/ nocase
        $xor = /\$\w{1,20}\s*\[\s*\$i\s*\]\s*=\s*\$\w{1,20}\s*\[\s*\$i\s*\]\s*\^\s*\$\w{1,20}\s*\[\s*\$i\s*\+\s*1\s*&\s*15\s*\]/
        $input = "php://input"
        $invoke = /__invoke\s*\(\s*\$\w{1,20}\s*\)\s*\{\s*eval\s*\(\s*\$\w{1,20}\s*\.\s*["']["']\s*\)/ nocase
        $b64 = /['"]base64_['"]\s*\.\s*['"]decode['"]/
        // v4: function Decrypt($data) { ... openssl_decrypt(base64_decode($data), "AES-128-ECB", ...) } eval($post)
        $decfn = /function\s+Decrypt\s*\(\s*\$data\s*\)/
        $evalpost = /eval\s*\(\s*\$post\s*\)/
    condition:
        filesize < 200KB and $php and (
            ($key and 1 of ($sess, $aes, $xor, $invoke, $evalpost)) or
            3 of ($sess, $aes, $xor, $input, $invoke, $b64, $decfn, $evalpost)
        )
}

rule behinder_jsp : webshell jsp behinder
{
    meta:
        description = "Behinder (冰蝎) JSP server: AES-decrypts the request body and defines a class from it"
        description_zh = "冰蝎 JSP 服务端：AES 解密请求体并用 defineClass 加载为类执行"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "jsp"
        confidence = "high"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $define = /super\s*\.\s*defineClass\s*\(\s*\w{1,20}\s*,\s*0\s*,\s*\w{1,20}\s*\.\s*length\s*\)/
        $aes = /Cipher\s*\.\s*getInstance\s*\(\s*"AES(\/ECB\/PKCS5Padding)?"\s*\)/
        $init = /\.init\s*\(\s*2\s*,\s*new\s+(javax\s*\.\s*crypto\s*\.\s*spec\s*\.\s*)?SecretKeySpec\s*\(/
        $loader = /class\s+U\s+extends\s+ClassLoader/
        $sess = /session\s*\.\s*putValue\s*\(\s*"u"\s*,/
        $body = /request\s*\.\s*getReader\s*\(\s*\)\s*\.\s*readLine\s*\(\s*\)/
        $page = /\.newInstance\s*\(\s*\)\s*\.\s*equals\s*\(\s*pageContext\s*\)/
        $key = "e45e329feb5d925b"
    condition:
        filesize < 200KB and $define and ($aes or $init) and 2 of ($loader, $sess, $body, $page, $key)
}

rule behinder_aspx : webshell aspx behinder
{
    meta:
        description = "Behinder (冰蝎) ASPX server: Rijndael-decrypts the raw request body and loads it as an assembly"
        description_zh = "冰蝎 ASPX 服务端：Rijndael 解密请求体并用 Assembly.Load 加载执行"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "aspx"
        confidence = "high"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $load = /Assembly\s*\.\s*Load\s*\(/
        $decrypt = /RijndaelManaged\s*\(\s*\)\s*\.\s*CreateDecryptor\s*\(\s*\w{1,20}\s*,\s*\w{1,20}\s*\)/
        $body = /Request\s*\.\s*BinaryRead\s*\(\s*Request\s*\.\s*ContentLength\s*\)/
        $sess = /Session\s*\.\s*Add\s*\(\s*"k"\s*,/
        $inst = /CreateInstance\s*\(\s*"U"\s*\)\s*\.\s*Equals\s*\(\s*this\s*\)/
        $key = "e45e329feb5d925b"
    condition:
        filesize < 200KB and $load and $decrypt and 1 of ($body, $sess, $inst, $key)
}

rule behinder_asp : webshell asp behinder
{
    meta:
        description = "Behinder (冰蝎) classic ASP server: session key, XOR of the raw request body with the key, Execute of the result"
        description_zh = "冰蝎 ASP 服务端：会话保存密钥，请求体与密钥异或解密后 Execute 执行"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "asp"
        confidence = "high"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $sess = /Session\s*\(\s*"k"\s*\)\s*=/ nocase ascii wide
        $read = /Request\.BinaryRead\s*\(/ nocase ascii wide
        $xor = /Xor\s+Asc\s*\(\s*Mid\s*\(\s*\w{1,20}\s*,\s*\(\s*\w{1,10}\s+and\s+15\s*\)\s*\+\s*1\s*,\s*1\s*\)\s*\)/ nocase ascii wide
        $exec = /Execute(Global)?\s*\(?\s*\w{1,20}\s*\)?/ nocase ascii wide
        $key = "e45e329feb5d925b" ascii wide
    condition:
        filesize < 100KB and $read and $xor and $exec and ($sess or $key)
}

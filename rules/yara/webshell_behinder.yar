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
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $key = "e45e329feb5d925b"
        $sess = /\$_SESSION\s*\[\s*['"]k['"]\s*\]\s*=\s*\$\w{1,20}/
        $aes = /openssl_decrypt\s*\(\s*\$\w{1,20}\s*,\s*['"]AES128['"]\s*,\s*\$\w{1,20}/ nocase
        $xor = /\$\w{1,20}\s*\[\s*\$i\s*\]\s*=\s*\$\w{1,20}\s*\[\s*\$i\s*\]\s*\^\s*\$\w{1,20}\s*\[\s*\$i\s*\+\s*1\s*&\s*15\s*\]/
        $input = "php://input"
        $invoke = /__invoke\s*\(\s*\$\w{1,20}\s*\)\s*\{\s*eval\s*\(\s*\$\w{1,20}\s*\.\s*["']["']\s*\)/ nocase
        $b64 = /['"]base64_['"]\s*\.\s*['"]decode['"]/
    condition:
        filesize < 200KB and $php and (($key and 1 of ($sess, $aes, $xor, $invoke)) or 3 of ($sess, $aes, $xor, $input, $invoke, $b64))
}

rule behinder_jsp : webshell jsp behinder
{
    meta:
        description = "Behinder (冰蝎) JSP server: AES-decrypts the request body and defines a class from it"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "Behinder"
        reference = "https://github.com/rebeyond/Behinder"
    strings:
        $define = /super\s*\.\s*defineClass\s*\(\s*\w{1,20}\s*,\s*0\s*,\s*\w{1,20}\s*\.\s*length\s*\)/
        $aes = /Cipher\s*\.\s*getInstance\s*\(\s*"AES"\s*\)/
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
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
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

/*
 * Godzilla (哥斯拉): encrypted webshell. The first request uploads a payload (kept in the session
 * as "payload"); later ones send encrypted commands that the payload runs. Responses are wrapped
 * in the two halves of md5(pass + key). Default key: the first 16 hex digits of md5("key").
 */

rule godzilla_php : webshell php godzilla
{
    meta:
        description = "Godzilla (哥斯拉) PHP server (XOR/BASE64 variants): session payload, 16-byte XOR key, md5 halves around the reply"
        description_zh = "哥斯拉 PHP 服务端：XOR 加密、会话保存 payload、md5 前后半段包裹回显"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "Godzilla"
        reference = "https://github.com/BeichenDream/Godzilla"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $key = "3c6e0b8a9c15224a"
        $name = /\$payloadName\s*=\s*['"]/
        $info = "getBasicsInfo"
        $sess = /\$_SESSION\s*\[\s*\$payloadName\s*\]/
        $md5 = /substr\s*\(\s*md5\s*\(\s*\$pass\s*\.\s*\$key\s*\)\s*,\s*(0\s*,\s*16|16)\s*\)/
        $xor = /\$\w{1,20}\s*=\s*\$K\s*\[\s*\$i\s*\+\s*1\s*&\s*15\s*\]/
    condition:
        filesize < 200KB and $php and (($key and 1 of ($name, $info, $sess, $md5, $xor)) or 2 of ($name, $info, $sess, $md5, $xor))
}

rule godzilla_jsp : webshell jsp godzilla
{
    meta:
        description = "Godzilla (哥斯拉) JSP server (AES/BASE64): class loaded from the decrypted request and kept in the session as payload"
        description_zh = "哥斯拉 JSP 服务端：AES 解密请求、类加载后存入会话 payload"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "jsp"
        confidence = "high"
        family = "Godzilla"
        reference = "https://github.com/BeichenDream/Godzilla"
    strings:
        $xc = /String\s+xc\s*=\s*"[0-9a-f]{16}"/
        $sess = /session\s*\.\s*getAttribute\s*\(\s*"payload"\s*\)/
        $params = /request\s*\.\s*setAttribute\s*\(\s*"parameters"\s*,/
        $md5 = /md5\s*\.\s*substring\s*\(\s*(0\s*,\s*16|16)\s*\)/
        $init = /\.init\s*\(\s*\w{1,10}\s*\?\s*1\s*:\s*2\s*,/
        $page = /\.equals\s*\(\s*pageContext\s*\)/
        $key = "3c6e0b8a9c15224a"
    condition:
        filesize < 200KB and 3 of them
}

rule godzilla_aspx : webshell aspx godzilla
{
    meta:
        description = "Godzilla (哥斯拉) ASPX server (AES/BASE64): assembly loaded by reflection from the decrypted request, kept in the session"
        description_zh = "哥斯拉 ASPX 服务端：AES 解密请求、反射加载程序集并存入会话"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "family-marker"
        language = "aspx"
        confidence = "high"
        family = "Godzilla"
        reference = "https://github.com/BeichenDream/Godzilla"
    strings:
        $sess = /Session\s*\[\s*"payload"\s*\]/
        $inst = /CreateInstance\s*\(\s*"LY"\s*\)/
        $load = /GetMethod\s*\(\s*"Load"\s*,/
        $md5 = /md5\s*\.\s*Substring\s*\(\s*(0\s*,\s*16|16)\s*\)/
        $decrypt = /CreateDecryptor\s*\(/
        $key = "3c6e0b8a9c15224a"
    condition:
        filesize < 200KB and 3 of them
}

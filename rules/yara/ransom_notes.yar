/*
 * Ransom notes: the text ransomware leaves beside encrypted files. A note says the files are
 * encrypted AND tells how to pay or make contact (Bitcoin, Tor/onion, a decryptor for sale);
 * either alone is ordinary text.
 */

rule ransom_note_english : ransomware note
{
    meta:
        description = "Ransom note (English): files said to be encrypted, with payment or Tor contact instructions"
        description_zh = "英文勒索信：声称文件已被加密，并给出付款或 Tor 联系方式"
        technique = "ransom-note"
        language = "any"
        confidence = "medium"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "ransomware"
        reference = "https://attack.mitre.org/techniques/T1486/"
    strings:
        // a case class inside each common word keeps its letters out of libyara's atoms: the atom is
        // "been" (enc1), "ted"/"ked" (enc2), " now" (enc3) instead of files/data/are, seen in all web code
        $enc1 = /(fi[lL]es|do[cC]uments|da[tT]a|ph[oO]tos|da[tT]abases|ne[tT]work|se[rR]vers|co[mM]puters?)\s+(ha[vV]e|has)\s+been\s+(en[cC]ry[pP]ted|lo[cC]ked)/ nocase
        $enc2 = /(fi[lL]es|do[cC]uments|da[tT]a|ph[oO]tos|da[tT]abases)\s+(a[rR]e|we[rR]e)\s+(en[cC]ry[pP]ted|lo[cC]ked)/ nocase
        $enc3 = /(fi[lL]es|da[tT]a)\s+(is|a[rR]e)\s+now\s+en[cC]rypted/ nocase
        $pay_btc = /\b(bitcoins?|BTC|monero|XMR)\b/ nocase
        $pay_tor = "Tor Browser" nocase
        $pay_onion3 = /[a-z2-7]{56}\.onion/ nocase
        $pay_onion2 = /[a-z2-7]{16}\.onion/ nocase
        $pay_key = /(decryption|private|unique)\s+key/ nocase
        $pay_tool = /\bdecrypt(or|ion (tool|software|program))\b/ nocase
        $pay_warn = /(do not|don't|never)\s+(try to\s+)?(rename|modify|delete|decrypt)\s+(the\s+)?(encrypted\s+)?files/ nocase
        $pay_price = /(pay|payment|ransom)\b[^\n]{0,60}\b(bitcoin|BTC|USD|\$\s?\d)/ nocase
    condition:
        filesize < 200KB and 1 of ($enc*) and 2 of ($pay*)
}

rule ransom_note_chinese : ransomware note
{
    meta:
        description = "勒索信（中文）：声称文件已被加密，并给出比特币、赎金或暗网联系方式"
        description_zh = "中文勒索信：声称文件已被加密，并给出比特币、赎金或暗网联系方式"
        technique = "ransom-note"
        language = "any"
        confidence = "medium"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "ransomware"
        reference = "https://attack.mitre.org/techniques/T1486/"
    strings:
        $enc1 = "文件已被加密"
        $enc2 = "文件都已被加密"
        $enc3 = "数据已被加密"
        $enc4 = "文件已经被加密"
        $enc5 = "已被我们加密"
        $pay1 = "比特币"
        $pay2 = "赎金"
        $pay3 = "解密工具"
        $pay4 = "解密软件"
        $pay5 = /\bTor\b/
        $pay6 = ".onion" nocase
        $pay7 = "密钥"
    condition:
        filesize < 200KB and 1 of ($enc*) and 2 of ($pay*)
}

rule ransom_note_known_families : ransomware note
{
    meta:
        description = "Ransom note text of well-known families (WannaCry, Phobos, LockBit)"
        description_zh = "已知勒索家族（WannaCry、Phobos、LockBit）的勒索信文字"
        technique = "ransom-note"
        language = "any"
        confidence = "high"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "ransomware"
        reference = "https://attack.mitre.org/techniques/T1486/"
    strings:
        $wannacry1 = "Ooops, your important files are encrypted" nocase
        $wannacry2 = "@WanaDecryptor@"
        $phobos = "All your files have been encrypted due to a security problem with your PC" nocase
        $lockbit1 = "Restore-My-Files.txt"
        $lockbit2 = /LockBit\s+[23]\.0/
        $encrypted = "encrypted" nocase
    condition:
        filesize < 500KB and (any of ($wannacry*, $phobos) or ($lockbit2 and ($lockbit1 or $encrypted)))
}

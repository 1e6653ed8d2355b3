/*
 * Classic ASP (VBScript/JScript) webshell techniques: Execute/Eval of request data or of a
 * decoder's output, WScript.Shell / Shell.Application / ScriptControl driven by the request,
 * FileSystemObject / ADODB.Stream droppers that take the path from the request, script-encoded
 * pages (#@~^ ... ^#~@) and the UTF-7 codepage trick.
 *
 * Tiers: the request value straight in the sink's argument fires at any size; sink and request
 * anywhere in a small page (a one-liner or dropper); otherwise both within 1 KB of each other.
 * Every string is ascii wide: IIS runs pages saved as UTF-16 too.
 */

rule asp_execute_input : webshell asp
{
    meta:
        description = "Classic ASP webshell: VBScript Execute/ExecuteGlobal/Eval (or JScript eval) of request or session data"
        description_zh = "ASP 网页木马：用 Execute/ExecuteGlobal/Eval 执行请求或会话中传来的代码（一句话木马）"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "asp-execute-variable"
        language = "asp"
        confidence = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        // the request value (possibly through a decoder) inside the sink's own argument
        // the sink's name ends where its argument starts: a space, "(" or a " _" line continuation,
        // never "_" glued on (minified JavaScript has execute_buildRequest and the like)
        $direct = /[^\w.](Execute|ExecuteGlobal|Eval)[\s(][\s_(]{0,7}[^\r\n%;:)]{0,80}[^\w](Request|Session|Application)[\s_]{0,4}[.(\[]/ nocase ascii wide
        $exec = /[^\w.](Execute|ExecuteGlobal)[\s(][\s_(]{0,7}[\w"(]/ nocase ascii wide
        $eval = /[^\w.]eval\s{0,4}\(/ nocase ascii wide
        $req = /Request[\s_]{0,4}(\.\s*(Form|QueryString|Item|Cookies|ServerVariables|BinaryRead)[\s_]{0,4})?[(\[]/ nocase ascii wide
        $ses = /(Session|Application)\s{0,4}[(\[]\s{0,4}["']/ nocase ascii wide
        $scr = /<script[\s>]/ nocase ascii wide
        // Node/EJS templates share the <% tags and may call an execute() of their own
        $node = /(require\s{0,4}\(\s{0,4}["'][\w@.\/-]{1,60}["']\s{0,4}\)|module\.exports)/ ascii wide
    condition:
        filesize < 2MB and ($tag or $srv) and (
            $direct or
            (not $node and filesize < 8KB and $exec and ($req or $ses)) or
            (not $node and for any i in (1..#exec) : ($req in (@exec[i] - 1024 .. @exec[i] + 1024))) or
            // eval is JavaScript's too: only where every <script> block runs on the server
            (#scr == #srv and for any i in (1..#eval) : ($req in (@eval[i] - 300 .. @eval[i] + 300)))
        )
}

rule asp_execute_decoded : webshell asp
{
    meta:
        description = "Classic ASP webshell: Execute/Eval of a decoder's output (StrReverse, Chr chains, Replace junk, base64 via MSXML bin.base64)"
        description_zh = "ASP 网页木马：执行经过 StrReverse/Chr 拼接/Replace/base64 解码后的隐藏代码"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "asp-execute-decoded"
        language = "asp"
        confidence = "medium"
        reference = "https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/scripting-articles/03t418d2(v=vs.84)"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $exec_dec = /[^\w.](Execute|ExecuteGlobal)[\s_(]{1,8}(StrReverse|ChrW?|ChrB|Replace|Unescape|\w{0,20}(Decode|Encode|Decrypt|Base64))\w{0,12}\s{0,4}\(/ nocase ascii wide
        $exec = /[^\w.](Execute|ExecuteGlobal)[\s_(]{1,8}[\w"(]/ nocase ascii wide
        // VBScript's Chr/StrReverse/Replace straight inside eval (JavaScript has none of them)
        $eval_dec = /[^\w.]eval\s{0,4}\(\s{0,4}(eval\s{0,4}\(\s{0,4})?(ChrW?|ChrB|StrReverse|Replace)\s{0,4}\(/ nocase ascii wide
        $rev = /StrReverse\s{0,4}\(\s{0,4}"[^\r\n]{0,80}(tseuqer|etucexe|llehs\.tpircsw)/ nocase ascii wide
        $chrs = /ChrW?\s{0,4}\(\s{0,4}\d{2,3}\s{0,4}\)\s{0,4}[&+]\s{0,4}ChrW?\s{0,4}\(\s{0,4}\d{2,3}\s{0,4}\)\s{0,4}[&+]\s{0,4}ChrW?\s{0,4}\(\s{0,4}\d{2,3}\s{0,4}\)\s{0,4}[&+]\s{0,4}ChrW?\s{0,4}\(/ nocase ascii wide
        $b64 = "bin.base64" nocase ascii wide
    condition:
        filesize < 2MB and ($tag or $srv) and (
            $exec_dec or $eval_dec or
            (filesize < 8KB and $exec and ($rev or $chrs or $b64)) or
            (for any i in (1..#exec) : ($rev in (@exec[i] - 1024 .. @exec[i] + 1024) or $chrs in (@exec[i] - 1024 .. @exec[i] + 1024)))
        )
}

rule asp_shell_object_input : webshell asp
{
    meta:
        description = "Classic ASP command webshell: WScript.Shell / Shell.Application Exec, Run or ShellExecute with request data (ProgID possibly hidden)"
        description_zh = "ASP 命令执行木马：通过 WScript.Shell 或 Shell.Application 执行请求传入的系统命令"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "asp-shell-object"
        language = "asp"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/windows-scripting/ateytk4a(v=vs.84)"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $srv_obj = /<object[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $wsh = "WScript.Shell" nocase ascii wide
        $sha = "Shell.Application" nocase ascii wide
        $clsid_wsh = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase ascii wide
        $clsid_sha = "13709620-C279-11CE-A49E-444553540000" nocase ascii wide
        // the ProgID built at run time: split, reversed, Chr codes, junk replaced
        $obf = /CreateObject\s{0,4}\(\s{0,4}("[^"\r\n]{1,20}"\s{0,4}[&+]|StrReverse\s{0,4}\(|ChrW?\s{0,4}\(|Replace\s{0,4}\()/ nocase ascii wide
        // the command is built at run time (a variable, a call, a literal joined to something)
        $run = /\.\s{0,4}(Exec|Run)[\s_(]{1,8}("[^"\r\n]{0,80}"\s{0,4}[&+]|[A-Za-z_(])/ nocase ascii wide
        $shex = /\.\s{0,4}ShellExecute[\s_(]{1,8}[^\r\n]{0,120}(&|\+|,\s{0,4}[A-Za-z_(])/ nocase ascii wide
        $req = /Request[\s_]{0,4}(\.\s*(Form|QueryString|Item|Cookies|ServerVariables)[\s_]{0,4})?[(\[]/ nocase ascii wide
        $ses = /(Session|Application)\s{0,4}[(\[]\s{0,4}["']/ nocase ascii wide
    condition:
        filesize < 2MB and ($tag or $srv or $srv_obj) and any of ($wsh, $sha, $clsid_wsh, $clsid_sha, $obf) and ($run or $shex) and ($req or $ses) and (
            filesize < 16KB or
            for any i in (1..#run) : ($req in (@run[i] - 1024 .. @run[i] + 1024) or $ses in (@run[i] - 1024 .. @run[i] + 1024)) or
            for any i in (1..#shex) : ($req in (@shex[i] - 1024 .. @shex[i] + 1024) or $ses in (@shex[i] - 1024 .. @shex[i] + 1024))
        )
}

rule asp_script_control_input : webshell asp
{
    meta:
        description = "Classic ASP webshell: MSScriptControl.ScriptControl runs request data (AddCode, ExecuteStatement, Eval, Run)"
        description_zh = "ASP 网页木马：借助 MSScriptControl 脚本控件执行请求传入的代码"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "asp-script-control"
        language = "asp"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/previous-versions/visualstudio/visual-basic-6/aa227633(v=vs.60)"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $ctl = "ScriptControl" nocase ascii wide
        $call = /\.\s{0,4}(AddCode|ExecuteStatement|Eval|Run)[\s_(]{1,8}/ nocase ascii wide
        $req = /Request[\s_]{0,4}(\.\s*(Form|QueryString|Item|Cookies|ServerVariables)[\s_]{0,4})?[(\[]/ nocase ascii wide
        $ses = /(Session|Application)\s{0,4}[(\[]\s{0,4}["']/ nocase ascii wide
    condition:
        filesize < 2MB and ($tag or $srv) and $ctl and $call and ($req or $ses) and (
            filesize < 16KB or
            for any i in (1..#call) : ($req in (@call[i] - 1024 .. @call[i] + 1024) or $ses in (@call[i] - 1024 .. @call[i] + 1024))
        )
}

rule asp_file_dropper_input : webshell asp
{
    meta:
        description = "Classic ASP dropper: FileSystemObject or ADODB.Stream writes a file whose path (and content) come from the request"
        description_zh = "ASP 上传/写文件木马：用 FSO 或 ADODB.Stream 把请求内容写到请求指定的路径"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "asp-file-uploader"
        language = "asp"
        confidence = "medium"
        reference = "https://learn.microsoft.com/en-us/sql/ado/reference/ado-api/savetofile-method"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $fso = "Scripting.FileSystemObject" nocase ascii wide
        $stm = "ADODB.Stream" nocase ascii wide
        $clsid_fso = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase ascii wide
        // path argument read from the request in the same statement
        $path_req = /\.\s{0,4}(SaveToFile|CreateTextFile|OpenTextFile)[\s_(]{1,8}[^\r\n]{0,60}Request[\s_]{0,4}[.(\[]/ nocase ascii wide
        $write = /\.\s{0,4}(Sa[vV]eTo|Cr[eE]ateText|Op[eE]nText)File[\s_(]{1,8}/ nocase ascii wide  // classes: the atom is "File"
        $req = /Request[\s_]{0,4}(\.\s*(Form|QueryString|Item|Cookies|ServerVariables|BinaryRead)[\s_]{0,4})?[(\[]/ nocase ascii wide
    condition:
        filesize < 2MB and ($tag or $srv) and any of ($fso, $stm, $clsid_fso) and (
            $path_req or
            (filesize < 4KB and $write and #req >= 2) or
            // a larger page: the path read from the request just before the write
            (#req >= 2 and for any i in (1..#write) : ($req in (@write[i] - 400 .. @write[i])))
        )
}

rule asp_script_encoded : webshell asp
{
    meta:
        description = "Classic ASP page hidden with the Windows Script Encoder (VBScript.Encode/JScript.Encode: #@~^ ... ^#~@); review what it runs"
        description_zh = "经过 Script Encoder 加密的 ASP 脚本（#@~^ 开头），网页木马常用此法躲避查杀，请人工核查"
        author = "secops"
        date = "2026-12-07"
        severity = "medium"
        technique = "asp-vbscript-encode"
        language = "asp"
        confidence = "medium"
        reference = "https://en.wikipedia.org/wiki/Windows_Script_Encoder"
    strings:
        $start = /#@~\^[A-Za-z0-9+\/]{6}==/ ascii wide
        $end = /[A-Za-z0-9+\/]{6}==\^#~@/ ascii wide
        $lang = /(VBScript|JScript)\.Encode/ nocase ascii wide
    condition:
        filesize < 2MB and $start and ($end or $lang)
}

rule asp_utf7_codepage : webshell asp
{
    meta:
        description = "Classic ASP page declared in the UTF-7 codepage (65000) so that +ADw-% style sequences hide its script from byte signatures"
        description_zh = "声明 UTF-7 代码页(65000)的 ASP 页面，用 +ADw-% 之类编码隐藏脚本，是木马免杀手法"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "asp-utf7-codepage"
        language = "asp"
        confidence = "high"
        reference = "https://en.wikipedia.org/wiki/UTF-7"
    strings:
        $cp = /<%@[^%\n]{0,80}codepage\s{0,4}=\s{0,4}["']?65000/ nocase ascii wide
        $u1 = "+ADw-" ascii wide  // <
        $u2 = "+AD4-" ascii wide  // >
        $u3 = "+ACI-" ascii wide  // "
        $u4 = "+ACU-" ascii wide  // %
        $u5 = "+ACY-" ascii wide  // &
    condition:
        filesize < 2MB and $cp and any of ($u*)
}

rule asp_file_manager_drives : webshell asp
{
    meta:
        description = "Classic ASP file-manager webshell: enumerates the server's drives with FileSystemObject and deletes/writes/moves files named by the request"
        description_zh = "ASP 文件管理型木马：用 FSO 枚举服务器磁盘，并按请求删除、写入或移动文件"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "asp-file-manager"
        language = "asp"
        confidence = "medium"
        reference = "https://learn.microsoft.com/en-us/office/vba/language/reference/user-interface-help/drives-property"
    strings:
        $tag = "<%" ascii wide
        $srv = /<script[^>\n]{0,60}runat\s*=\s*["']?server/ nocase ascii wide
        $fso = "Scripting.FileSystemObject" nocase ascii wide
        $clsid_fso = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase ascii wide
        $drives = /\.\s{0,4}Drives\b/ nocase ascii wide
        $drive_info = /\.\s{0,4}(DriveLetter|TotalSize|FreeSpace|AvailableSpace|DriveType)\b/ nocase ascii wide
        // the same methods, grouped by File/Folder with a case class in each verb: libyara then takes
        // its atom from File/Folder rather than from delete/copy/move/create/save, seen in all JavaScript
        $change = /\.\s{0,4}((De[lL]ete|Co[pP]y|Mo[vV]e|Cr[eE]ateText|Sa[vV]eTo)File|(De[lL]ete|Cr[eE]ate)Folder)[\s_(]{1,8}/ nocase ascii wide
        $req = /Request[\s_]{0,4}(\.\s*(Form|QueryString|Item|Cookies|ServerVariables)[\s_]{0,4})?[(\[]/ nocase ascii wide
    condition:
        filesize < 2MB and ($tag or $srv) and ($fso or $clsid_fso) and $drives and $drive_info and $change and $req
}

/*
 * Generic ASP.NET (ASPX/ASHX) and classic ASP webshells: JScript eval of the request and process
 * starts (cmd.exe, WScript.Shell) driven by request values.
 */

rule aspx_webshell_eval_request : webshell aspx asp
{
    meta:
        description = "ASPX/ASP webshell: JScript eval or VBScript Execute of a request value"
        description_zh = "ASPX/ASP 网页木马：用 JScript eval 或 VBScript Execute 直接执行请求参数"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "aspx-eval-request"
        language = "aspx"
        confidence = "high"
        family = "aspx-eval"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $tag = "<%" ascii wide  // pages saved as UTF-16 run on IIS too
        $eval = /[^\w.](eval|execute|executeglobal)\s*\(?\s*Request\s*(\.\s*(Item|Form|QueryString|Params))?\s*[\[\(]\s*["']/ nocase ascii wide
    condition:
        $tag and $eval
}

rule aspx_webshell_process_request : webshell aspx asp
{
    meta:
        description = "ASPX/ASP command webshell: Process.Start, ProcessStartInfo or WScript.Shell run with request values"
        description_zh = "ASPX/ASP 命令执行木马：Process.Start 或 WScript.Shell 执行请求传入的系统命令"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        technique = "aspx-process-start"
        language = "aspx"
        confidence = "high"
        family = "aspx-cmd"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $page = /<%@\s*[PWpw](age|ebHandler)\b/ nocase
        $runat = /runat\s*=\s*["']?server/ nocase
        $asp = /<%@?\s*(Language\s*=\s*["']?VBScript|@\s*LANGUAGE)/ nocase
        $start = /Process\s*\.\s*Start\s*\(/
        $psi = "ProcessStartInfo"
        $wsh = /CreateObject\s*\(\s*["']WScript\.Shell["']\s*\)/ nocase
        $wsh_run = /\.(Exec|Run)\s*\(\s*[^)\n]{0,80}Request\s*[\(\.]/ nocase
        $request = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*[\[\(]\s*["']/ nocase
        $shell = /["'](cmd|cmd\.exe|powershell|powershell\.exe)["']/ nocase
    condition:
        filesize < 500KB and (
            (($page or $runat) and ($start or $psi) and $request and $shell) or
            (($asp or $page or $runat) and $wsh and $wsh_run)
        )
}

/*
 * Techniques, not samples. A page context (Page/WebHandler directive, runat=server or <%) and a
 * sink; the input is a request value, a WebForms control's .Text (a TextBox: ordinary on its own,
 * telling next to these sinks) or a session value. Strings are ascii wide: UTF-16 pages run too.
 */

rule aspx_process_input : webshell aspx
{
    meta:
        description = "ASPX command webshell: Process / ProcessStartInfo (cmd.exe, powershell) started with a request value or a TextBox's text"
        description_zh = "ASPX 命令执行木马：用 Process/ProcessStartInfo 启动 cmd.exe 或 powershell，命令来自请求参数或页面文本框"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "aspx-process-start"
        language = "aspx"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.processstartinfo"
    strings:
        $page = /<%@\s{0,4}[PWCpwc](age|ebHandler|ontrol|ebService)\b/ nocase ascii wide  // the first letter as a class: libyara keeps its atom on <%@
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        $start = /Process\s{0,4}\.\s{0,4}Start\s{0,4}\(/ nocase ascii wide
        $psi = "ProcessStartInfo" nocase ascii wide
        $newp = /new\s{1,4}(System\.Diagnostics\.)?Process\s{0,4}\(\s{0,4}\)/ nocase ascii wide
        $cmd = /["'](cmd|cmd\.exe|powershell|powershell\.exe|\/bin\/sh|\/bin\/bash|c:\\\\windows\\\\system32\\\\cmd\.exe)["']/ nocase ascii wide
        $slashc = /["']\s{0,2}\/c\s/ nocase ascii wide
        $start_in = /Process\s{0,4}\.\s{0,4}Start\s{0,4}\([^;\n]{0,100}(Request|\.Text\b|Session)/ nocase ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers|ServerVariables)\s{0,4})?[\[(]/ nocase ascii wide
        $text = /\.Text\s{0,4}[;)+,\]&\r\n]/ ascii wide  // a control's text read, not assigned
        $ses = /Session\s{0,4}[\[(]\s{0,4}["']/ nocase ascii wide
    condition:
        filesize < 2MB and ($page or $runat) and ($start or $psi or $newp) and ($req or $text or $ses) and (
            $start_in or
            (($cmd or $slashc) and (filesize < 8KB or
            for any i in (1..#start) : ($req in (@start[i] - 512 .. @start[i] + 512) or $text in (@start[i] - 512 .. @start[i] + 512) or $ses in (@start[i] - 512 .. @start[i] + 512)) or
            for any i in (1..#psi) : ($req in (@psi[i] - 512 .. @psi[i] + 512) or $text in (@psi[i] - 512 .. @psi[i] + 512) or $ses in (@psi[i] - 512 .. @psi[i] + 512)) or
            for any i in (1..#newp) : ($req in (@newp[i] - 512 .. @newp[i] + 512) or $text in (@newp[i] - 512 .. @newp[i] + 512) or $ses in (@newp[i] - 512 .. @newp[i] + 512))))
        )
}

rule aspx_sql_command_exec : webshell aspx asp
{
    meta:
        description = "ASPX/ASP webshell: page code sends xp_cmdshell / sp_OACreate (SQL Server command execution) with a request value or a TextBox's text"
        description_zh = "ASPX/ASP 网页木马：页面代码调用 SQL Server 的 xp_cmdshell/sp_OACreate 执行系统命令"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "aspx-sql-command"
        language = "aspx"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/xp-cmdshell-transact-sql"
    strings:
        $tag = "<%" ascii wide
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        $xp = "xp_cmdshell" nocase ascii wide
        $oa = "sp_oacreate" nocase ascii wide
        $oam = "sp_oamethod" nocase ascii wide
        $db = /(SqlCommand|OleDbCommand|OdbcCommand|SqlDataAdapter|ExecuteReader|ExecuteNonQuery|ExecuteScalar|ADODB\.Connection|\.Execute\s{0,4}\()/ nocase ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers|ServerVariables)\s{0,4})?[\[(]/ nocase ascii wide
        $text = /\.Text\s{0,4}[;)+,\]&\r\n]/ ascii wide
    condition:
        filesize < 2MB and ($tag or $runat) and ($xp or $oa or $oam) and $db and ($req or $text)
}

rule aspx_assembly_load_input : webshell aspx
{
    meta:
        description = "ASPX loader webshell: Assembly.Load of bytes from the request, base64 or a TextBox (in-memory .NET payloads)"
        description_zh = "ASPX 内存马加载器：Assembly.Load 加载请求或 base64 中的程序集字节"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "aspx-assembly-load"
        language = "aspx"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.reflection.assembly.load"
    strings:
        $page = /<%@\s{0,4}[PWCpwc](age|ebHandler|ontrol|ebService)\b/ nocase ascii wide  // the first letter as a class: libyara keeps its atom on <%@
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        $load = /(Assembly|CurrentDomain)\s{0,4}\.\s{0,4}Load\s{0,4}\(/ nocase ascii wide
        $b64 = "FromBase64String" nocase ascii wide
        $bin = "BinaryRead" nocase ascii wide
        $stream = "InputStream" nocase ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers)\s{0,4})?[\[(]/ nocase ascii wide
        $text = /\.Text\s{0,4}[;)+,\]&\r\n]/ ascii wide
        $ses = /Session\s{0,4}[\[(]\s{0,4}["']/ nocase ascii wide
    condition:
        filesize < 2MB and ($page or $runat) and $load and any of ($b64, $bin, $stream, $req, $text, $ses)
}

rule aspx_codedom_compile_input : webshell aspx
{
    meta:
        description = "ASPX webshell: compiles request-supplied source at run time (CSharpCodeProvider/CodeDomProvider CompileAssemblyFromSource)"
        description_zh = "ASPX 网页木马：运行时用 CodeDom 编译并执行请求中传来的 C#/VB 源代码"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "aspx-codedom"
        language = "aspx"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.codedom.compiler.codedomprovider.compileassemblyfromsource"
    strings:
        $page = /<%@\s{0,4}[PWCpwc](age|ebHandler|ontrol|ebService)\b/ nocase ascii wide  // the first letter as a class: libyara keeps its atom on <%@
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        $prov = /(CSharpCodeProvider|VBCodeProvider|JScriptCodeProvider|CodeDomProvider)/ ascii wide
        $comp = /CompileAssemblyFrom(Source|Dom|File)/ ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers)\s{0,4})?[\[(]/ nocase ascii wide
        $text = /\.Text\s{0,4}[;)+,\]&\r\n]/ ascii wide
        $ses = /Session\s{0,4}[\[(]\s{0,4}["']/ nocase ascii wide
        $b64 = "FromBase64String" ascii wide
    condition:
        filesize < 2MB and ($page or $runat) and $prov and $comp and any of ($req, $text, $ses, $b64)
}

rule aspx_jscript_unsafe_eval : webshell aspx
{
    meta:
        description = "ASPX JScript.NET webshell: eval(..., \"unsafe\") of any value (the China Chopper ASPX idiom, with the input taken indirectly)"
        description_zh = "ASPX JScript 网页木马：eval(…, \"unsafe\") 以完全信任执行任意代码"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "aspx-jscript-eval"
        language = "aspx"
        confidence = "high"
        reference = "https://learn.microsoft.com/en-us/previous-versions/visualstudio/visual-studio-2010/b51a45x6(v=vs.100)"
    strings:
        $tag = "<%" ascii wide
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        $unsafe = /eval\s{0,4}\([^;\n]{1,200}["']unsafe["']\s{0,4}\)/ nocase ascii wide
        $jscript = /Language\s{0,4}=\s{0,4}["']?(JScript|JavaScript)/ nocase ascii wide
        $eval = /[^\w.]eval\s{0,4}\(/ nocase ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers)\s{0,4})?[\[(]/ nocase ascii wide
        $b64 = "FromBase64String" ascii wide
    condition:
        filesize < 2MB and ($tag or $runat) and (
            $unsafe or
            ($jscript and filesize < 8KB and $eval and ($req or $b64))
        )
}

rule aspx_file_writer_input : webshell aspx
{
    meta:
        description = "ASPX dropper: File.WriteAll*/StreamWriter/FileStream/SaveAs writes to a path taken from a request field or a TextBox, with request data"
        description_zh = "ASPX 写文件木马：把请求内容写入请求或文本框指定的路径（用于上传更多木马）"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "aspx-file-writer"
        language = "aspx"
        confidence = "medium"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.io.file.writealltext"
    strings:
        $page = /<%@\s{0,4}[PWCpwc](age|ebHandler|ontrol|ebService)\b/ nocase ascii wide  // the first letter as a class: libyara keeps its atom on <%@
        $runat = /runat\s{0,4}=\s{0,4}["']?server/ nocase ascii wide
        // the path argument names a form/query field or a text box, not an uploaded file's name
        $direct = /(WriteAllText|WriteAllBytes|AppendAllText|StreamWriter|FileStream|\.SaveAs)\s{0,4}\([^;\n]{0,160}(Request\s{0,4}(\.\s{0,4}(Form|QueryString|Params|Item|Headers|Cookies))?\s{0,4}[\[(]|\.Text\s{0,4}[;)+,\]])/ nocase ascii wide
        $req = /Request\s{0,4}(\.\s{0,4}(Form|QueryString|Item|Params|Cookies|Headers|InputStream|BinaryRead|Files))?\s{0,4}[\[(.]/ nocase ascii wide
        $text = /\.Text\s{0,4}[;)+,\]&\r\n]/ ascii wide
    condition:
        filesize < 2MB and ($page or $runat) and $direct and (#req + #text) >= 2
}

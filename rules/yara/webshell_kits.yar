/*
 * Webshell kits ("大马") by what they can do rather than by who wrote them: a single page that
 * bundles a file manager, an uploader, command execution, a database console, a port scanner or
 * back-connect, server reconnaissance and self-removal. Each capability group is a set of strings
 * (prefixed by the group: $files_*, $exec_*...) counted once with math.to_number; a kit rule needs
 * several groups in one file (at least four, one of them a "shell" capability:
 * command execution, back-connect/port scan or self-removal), so it also finds kits from families
 * with no marker rule. Legitimate single-file tools (Adminer, phpMyAdmin pages, WordPress's file
 * editor, Cacti/Zabbix, Tomcat's manager-like examples) have one or two of these groups, not four.
 * Also: a PHP kit packed behind a decoder (a large encoded blob evaluated after decoding), and a
 * kit panel recognised by its menu of attack features.
 */

import "math"

// ---------------------------------------------------------------- PHP capability groups

rule webshell_kit_php : webshell php kit
{
    meta:
        description = "PHP webshell kit: one file with four or more capability groups (file manager, upload, command execution, DB console, port scan / back-connect, recon, self-removal)"
        description_zh = "PHP 大马：单个文件同时具备文件管理、上传、命令执行、数据库、端口扫描/反弹、信息收集、自删除中的四项以上功能"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "kit-capabilities"
        language = "php"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php_php = /<\?(php|=|[ \t\r\n])/ nocase
        $files_l1 = /[^\w$>:](scandir|opendir|readdir|glob)\s*\(/ nocase
        $files_p1 = /[^\w$>:](fileperms|is_writable|is_writeable|fileowner|posix_getpwuid)\s*\(/ nocase
        $files_m1 = /[^\w$>:](unlink|rmdir|rename|chmod|touch)\s*\(/ nocase
        $upload_move = /move_uploaded_file\s*\(\s*\$_FILES\s*\[/ nocase
        $upload_copy = /[^\w$>:]copy\s*\(\s*\$_FILES\s*\[/ nocase
        $upload_move_var = /move_uploaded_file\s*\(\s*\$\w{1,30}\s*\[\s*['"]tmp_name['"]\s*\]/ nocase
        $exec_f = /[^\w$>:.\-](shell_exec|passthru|proc_open|popen|pcntl_exec)\s*\(/ nocase
        $exec_sys = /[^\w$>:.\-](system|exec)\s*\(\s*\$\w{1,30}/ nocase
        $exec_com = /new\s+COM\s*\(\s*['"]WScript\.Shell['"]\s*\)/ nocase
        $exec_redir = /['"]\s*2>&1['"]/
        $exec_fe = /function_exists\s*\(\s*['"](exec|passthru|system|shell_exec|popen|proc_open)['"]\s*\)/ nocase
        $db_c1 = /[^\w$>:](mysql_connect|mysqli_connect|mssql_connect|pg_connect|oci_connect|sqlsrv_connect|odbc_connect)\s*\(/ nocase
        $db_c2 = /new\s+(mysqli|PDO)\s*\(/ nocase
        $db_q1 = "SHOW DATABASES" nocase
        $db_q2 = "SHOW TABLES" nocase
        $db_q3 = /[^\w$>:](mysql_query|mysqli_query|mssql_query|pg_query)\s*\(/ nocase
        $net_s1 = /[^\w$>:](fsockopen|pfsockopen|socket_create|socket_bind|stream_socket_server|stream_socket_client)\s*\(/ nocase
        $net_m1 = "/bin/sh" nocase
        $net_m2 = "/bin/bash" nocase
        $net_m3 = "cmd.exe" nocase
        $net_m4 = /back[ _-]?connect/ nocase
        $net_m5 = /bind[ _-]?port/ nocase
        $net_m6 = /port[ _-]?scan/ nocase
        $net_m7 = "反弹"
        $net_m8 = "端口扫描"
        $recon_r1 = "disable_functions" nocase
        $recon_r2 = /['"]safe_mode['"]/ nocase
        $recon_r3 = "open_basedir" nocase
        $recon_r4 = "/etc/passwd"
        $recon_r5 = /[^\w$>:]php_uname\s*\(/ nocase
        $recon_r6 = /[^\w$>:](posix_getpwuid|posix_geteuid|getmyuid|get_current_user)\s*\(/ nocase
        $self_u1 = /unlink\s*\(\s*__FILE__\s*\)/ nocase
        $self_u2 = /unlink\s*\(\s*\$_SERVER\s*\[\s*['"](SCRIPT_FILENAME|PHP_SELF)['"]\s*\]\s*\)/ nocase
        $self_w1 = /self[ _-]?(remove|delete|kill)/ nocase
        $self_w2 = "自删除"
    condition:
        filesize < 3MB and $php_php and
        (($exec_f or $exec_com or ($exec_sys and $exec_redir) or #exec_fe >= 2) or ($net_s1 and any of ($net_m*)) or ($self_u1 or $self_u2 or ($self_w1 and $self_w2))) and
        (
            math.to_number(($files_l1 and $files_p1 and $files_m1)) +
            math.to_number(any of ($upload_*)) +
            math.to_number(($exec_f or $exec_com or ($exec_sys and $exec_redir) or #exec_fe >= 2)) +
            math.to_number((1 of ($db_c1, $db_c2) and 1 of ($db_q1, $db_q2, $db_q3))) +
            math.to_number(($net_s1 and any of ($net_m*))) +
            math.to_number(3 of ($recon_*)) +
            math.to_number(($self_u1 or $self_u2 or ($self_w1 and $self_w2)))
        ) >= 4
}

rule webshell_kit_php_packed : webshell php kit obfuscation
{
    meta:
        description = "PHP kit packed behind a decoder: a large high-entropy encoded blob and eval/assert of its decoding (gzinflate/gzuncompress/base64/str_rot13, possibly through a variable)"
        description_zh = "加壳的 PHP 大马：大段编码数据经 gzinflate/base64_decode 等解码后被 eval 执行"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "kit-packed"
        language = "php"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $dec = /[^\w$>:](gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|convert_uudecode)\s*\(/ nocase
        $dec_name = /['"](gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13)['"]/ nocase
        $eval_dec = /[^\w$>:.](eval|assert)\s*\(\s*@?\s*(["']\?>["']\s*\.\s*)?(\$\w{1,30}\s*\(\s*){0,3}(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|strrev)\s*\(/ nocase
        $eval_var = /[^\w$>:.](eval|assert)\s*\(\s*@?\s*\$\w{1,30}\s*(\(|\.|\))/ nocase
        // code written as \x escapes: '$', '(' and ';' escaped over and over (cheap literal counts)
        $hx_dollar = "\\x24"
        $hx_paren = "\\x28"
        $hx_semi = "\\x3b" nocase
    condition:
        filesize > 6KB and filesize < 5MB and $php and
        (
            ($eval_dec and math.entropy(0, filesize) >= 5.3) or
            ($eval_var and ($dec or $dec_name) and math.entropy(0, filesize) >= 5.6) or
            (#hx_dollar >= 20 and #hx_paren >= 20 and #hx_semi >= 10 and ($eval_var or $eval_dec))
        )
}

// ---------------------------------------------------------------- ASP (classic) capability groups

rule webshell_kit_asp : webshell asp kit
{
    meta:
        description = "Classic ASP webshell kit: one page with four or more capability groups (FSO file manager, ADODB.Stream upload, WScript.Shell, ADODB DB console, port scan / Serv-U / net user, recon, self-removal)"
        description_zh = "ASP 大马：单个页面同时具备文件管理、上传、命令执行、数据库、端口扫描/提权、信息收集、自删除中的四项以上功能"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "kit-capabilities"
        language = "asp"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $asp_open = "<%"
        $asp_open_w = "<%" wide
        $files_fso = "Scripting.FileSystemObject" nocase ascii wide
        // verb x File/Folder, a case class in each verb and in Get/Sub: the atoms are File/Folder
        $files_m = /\.(De[lL]ete|Co[pP]y|Mo[vV]e)(File|Folder)\b/ nocase ascii wide
        $files_l = /\.(Ge[tT]Folder|Su[bB]Folders)\b/ nocase ascii wide
        $upload_bin = "Request.BinaryRead" nocase ascii wide
        $upload_stream = "ADODB.Stream" nocase ascii wide
        $upload_save = ".SaveToFile" nocase ascii wide
        $exec_ws = "WScript.Shell" nocase ascii wide
        $exec_sa = "Shell.Application" nocase ascii wide
        $exec_run = /\.(Exec|Run|ShellExecute)\s*\(/ nocase ascii wide
        $exec_cmd = "cmd.exe" nocase ascii wide
        $db_conn = "ADODB.Connection" nocase ascii wide
        $db_prov = /(Provider|Driver)\s*=/ nocase ascii wide
        $db_exec = /\.Execute\s*\(/ nocase ascii wide
        $db_cat = "ADOX.Catalog" nocase ascii wide
        $net_scan = /port[ _-]?scan/ nocase ascii wide
        $net_scan_zh = "端口扫描" ascii wide
        $net_sqlp = /Data Source=["&\s]{0,6}\w{1,20}\s*&\s*","/ nocase ascii wide
        $net_xmlhttp = /(MSXML2|Microsoft)\.(Server)?XMLHTTP/ nocase ascii wide
        $net_serv_u = "Serv-U" nocase ascii wide
        $net_maint = "SITE MAINTENANCE" nocase ascii wide
        $net_netuser = /net(\.exe)?\s+(user|localgroup)\s/ nocase ascii wide
        $recon_r1 = /ServerVariables\s*\(\s*"(LOCAL_ADDR|SERVER_SOFTWARE|NUMBER_OF_PROCESSORS|OS|APPL_PHYSICAL_PATH|PATH_TRANSLATED)"\s*\)/ nocase ascii wide
        $recon_r2 = /\.Environment\s*\(\s*"(SYSTEM|PROCESS)"\s*\)/ nocase ascii wide
        $recon_r3 = "WScript.Network" nocase ascii wide
        $recon_r4 = /\.ComputerName\b/ nocase ascii wide
        $self_d = /DeleteFile\s*\(?\s*(Server\.MapPath\s*\(\s*)?Request\.ServerVariables\s*\(\s*"(SCRIPT_NAME|PATH_INFO|URL|PATH_TRANSLATED)"\s*\)/ nocase ascii wide
    condition:
        filesize < 3MB and any of ($asp_*) and
        ((($exec_ws or $exec_sa) and ($exec_run or $exec_cmd)) or (any of ($net_scan, $net_scan_zh, $net_sqlp, $net_serv_u, $net_maint, $net_netuser) or ($net_xmlhttp and $net_scan)) or $self_d) and
        (
            math.to_number(($files_fso and $files_m and $files_l)) +
            math.to_number(($upload_stream and $upload_save and $upload_bin)) +
            math.to_number((($exec_ws or $exec_sa) and ($exec_run or $exec_cmd))) +
            math.to_number((($db_conn or $db_cat) and $db_prov and $db_exec)) +
            math.to_number((any of ($net_scan, $net_scan_zh, $net_sqlp, $net_serv_u, $net_maint, $net_netuser) or ($net_xmlhttp and $net_scan))) +
            math.to_number((#recon_r1 >= 2 or 2 of ($recon_r2, $recon_r3, $recon_r4) or ($recon_r1 and 1 of ($recon_r2, $recon_r3, $recon_r4)))) +
            math.to_number($self_d)
        ) >= 4
}

// ---------------------------------------------------------------- ASPX capability groups

rule webshell_kit_aspx : webshell aspx kit
{
    meta:
        description = "ASP.NET webshell kit: one page with four or more capability groups (directory browser with delete/move, upload, Process.Start, SQL console, socket scan/back-connect, registry/IIS/WMI recon, self-removal)"
        description_zh = "ASPX 大马：单个页面同时具备文件管理、上传、命令执行、数据库、端口扫描/反弹、注册表/IIS 信息收集、自删除中的四项以上功能"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "kit-capabilities"
        language = "aspx"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $files_l = /Directory\s*\.\s*(GetDirectories|GetFiles|GetFileSystemEntries)\s*\(|new\s+DirectoryInfo\s*\(/ ascii wide
        $files_m = /(File|Directory)\s*\.\s*(Delete|Move|Copy|SetAttributes|SetLastWriteTime|SetCreationTime)\s*\(/ ascii wide
        $upload_u1 = /PostedFile\s*\.\s*SaveAs\s*\(/ ascii wide
        $upload_u2 = /Request\s*\.\s*Files\s*\[[^\]]{1,40}\]\s*\.\s*SaveAs\s*\(/ ascii wide
        $exec_p1 = "ProcessStartInfo" ascii wide
        $exec_p2 = /Process\s*\.\s*Start\s*\(/ ascii wide
        $exec_p3 = /new\s+(System\.Diagnostics\.)?Process\s*\(\s*\)/ ascii wide
        $exec_o = "RedirectStandardOutput" ascii wide
        $exec_cmd = "cmd.exe" nocase ascii wide
        $db_c = /new\s+(System\.Data\.\w{1,20}\.)?(SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection)\s*\(/ ascii wide
        $db_q = /(ExecuteReader|ExecuteNonQuery|SqlDataAdapter|OleDbDataAdapter|OdbcDataAdapter)\b/ ascii wide
        $net_s = /new\s+(System\.Net\.Sockets\.)?(TcpClient|Socket|TcpListener)\s*\(/ ascii wide
        $net_m1 = /port[ _-]?scan/ nocase ascii wide
        $net_m2 = "cmd.exe" nocase ascii wide
        $net_m3 = /back[ _-]?connect/ nocase ascii wide
        $net_m4 = "端口扫描" ascii wide
        $system_reg = /Registry\s*\.\s*(LocalMachine|CurrentUser|Users)\b|RegistryKey\b/ ascii wide
        $system_iis = /IIS:\/\/localhost/ nocase ascii wide
        $system_env1 = /Environment\s*\.\s*(MachineName|UserName|OSVersion|UserDomainName|SystemDirectory)\b/ ascii wide
        $system_env2 = /WindowsIdentity\s*\.\s*GetCurrent\s*\(/ ascii wide
        $system_wmi = /ManagementObjectSearcher|Win32_(Process|Service|OperatingSystem)/ ascii wide
        $self_d = /File\s*\.\s*Delete\s*\(\s*(Request\s*\.\s*PhysicalPath|Server\s*\.\s*MapPath\s*\(\s*Request\s*\.\s*(Path|FilePath|Url\s*\.\s*AbsolutePath)\s*\))/ ascii wide
        $page = /<%@\s*[PWCpwc](age|ebHandler|ontrol)\b/ nocase ascii wide
        $runat = /<script[^>]{0,60}runat\s*=\s*"?server/ nocase ascii wide
    condition:
        filesize < 3MB and ($page or $runat) and
        ((1 of ($exec_p1, $exec_p2, $exec_p3) and ($exec_o or $exec_cmd)) or ($net_s and any of ($net_m*)) or $self_d) and
        (
            math.to_number(($files_l and $files_m)) +
            math.to_number(any of ($upload_*)) +
            math.to_number((1 of ($exec_p1, $exec_p2, $exec_p3) and ($exec_o or $exec_cmd))) +
            math.to_number(($db_c and $db_q)) +
            math.to_number(($net_s and any of ($net_m*))) +
            math.to_number((2 of ($system_*) or #system_env1 >= 3)) +
            math.to_number($self_d)
        ) >= 4
}

// ---------------------------------------------------------------- JSP capability groups

rule webshell_kit_jsp : webshell jsp kit
{
    meta:
        description = "JSP webshell kit: one page with four or more capability groups (file manager, upload, Runtime.exec/ProcessBuilder, JDBC console, socket scan/back-connect, recon, remote download, self-removal)"
        description_zh = "JSP 大马：单个页面同时具备文件管理、上传、命令执行、数据库、端口扫描/反弹、信息收集、远程下载、自删除中的四项以上功能"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "kit-capabilities"
        language = "jsp"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        // a class in list/open/request below: the atoms come from Files/Roots, Stream/Connection, getInputStream
        $files_l = /\.\s*li[s]t(Files|Roots)\s*\(/
        $files_m = /\.\s*(delete|renameTo|setLastModified|setReadOnly|setWritable)\s*\(/
        $upload_out = "FileOutputStream"
        $upload_u1 = "ServletFileUpload"
        $upload_u2 = "multipart/form-data" nocase
        $upload_u3 = /getPart\s*\(/
        $upload_u4 = /re[q]uest\s*\.\s*getInputStream\s*\(/
        $exec_r = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
        $exec_p = /new\s+ProcessBuilder\s*\(/
        $db_c = /DriverManager\s*\.\s*getConnection\s*\(/
        $db_q = /\.\s*(executeQuery|getMetaData|getCatalogs|getTables)\s*\(/
        $net_s = /new\s+(java\.net\.)?(Socket|ServerSocket)\s*\(/
        $net_m1 = /port[ _-]?scan/ nocase
        $net_m2 = "/bin/sh"
        $net_m3 = "cmd.exe" nocase
        $net_m4 = /back[ _-]?connect/ nocase
        $net_m5 = "端口扫描"
        $recon_p = /System\s*\.\s*getProperty\s*\(\s*"(os\.name|user\.name|user\.dir|java\.home|os\.version)"\s*\)/
        $recon_env = /System\s*\.\s*getenv\s*\(\s*\)/
        $recon_real = /getRealPath\s*\(\s*"\/"\s*\)/
        $self_d = /new\s+(java\.io\.)?File\s*\(\s*(application|request|getServletContext\s*\(\s*\))\s*\.\s*getRealPath\s*\(\s*request\s*\.\s*getServletPath\s*\(\s*\)\s*\)\s*\)\s*\.\s*delete\s*\(/
        $download_url = /new\s+(java\.net\.)?URL\s*\(/
        $download_open = /\.\s*op[e]n(Stream|Connection)\s*\(/
        $download_out = "FileOutputStream"
        $download_param = /request\s*\.\s*getParameter\s*\(/
        $jsp = /<%(@|!|=|[ \t\r\n])/
        $req = /request\s*\.\s*getParameter\s*\(/
    condition:
        filesize < 3MB and $jsp and $req and
        (any of ($exec_*) or ($net_s and any of ($net_m*)) or $self_d) and
        (
            math.to_number(($files_l and $files_m)) +
            math.to_number(($upload_out and any of ($upload_u*))) +
            math.to_number(any of ($exec_*)) +
            math.to_number(($db_c and $db_q)) +
            math.to_number(($net_s and any of ($net_m*))) +
            math.to_number((#recon_p >= 2 and ($recon_env or $recon_real))) +
            math.to_number(all of ($download_*)) +
            math.to_number($self_d)
        ) >= 4
}

// ---------------------------------------------------------------- kit menus (any language)

rule webshell_kit_menu : webshell kit
{
    meta:
        description = "Webshell kit panel by its menu: four or more attack features as menu labels or actions (port scan, back-connect, bind shell, self-remove, brute force, mass deface, privilege escalation...) next to a command/socket primitive"
        description_zh = "大马界面菜单：出现端口扫描、反弹连接、绑定端口、自删除、爆破、批量挂马、提权等四项以上攻击功能菜单，并带有命令执行或网络连接代码"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "kit-capabilities"
        language = "any"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $m_scan = /[>'"]\s{0,3}Port[ _-]?Scan(ner)?\s{0,3}[<'"]/ nocase ascii wide
        $m_back = /[>'"]\s{0,3}(Back[ _-]?Connect|Reverse[ _-]?Shell|Connect[ _-]?Back)\s{0,3}[<'"]/ nocase ascii wide
        $m_bind = /[>'"]\s{0,3}Bind[ _-]?(Port|Shell)\s{0,3}[<'"]/ nocase ascii wide
        $m_self = /[>'"]\s{0,3}Self[ _-]?(Remove|Delete|Kill|Destroy)\s{0,3}[<'"]/ nocase ascii wide
        // common words (brute, symlink) count only as a visible label: >FTP Brute<, >Symlink<
        $m_brute = /[>'"]\s{0,3}(FTP|SSH|MySQL|cPanel)[ _-]?Brute[ _-]?(Force|Forcer)?\s{0,3}[<'"]|>\s{0,3}Brute[ _-]?Forcer?\s{0,3}</ nocase ascii wide
        $m_deface = /[>'"]\s{0,3}(Mass|Auto)[ _-]?(Deface|Defacer|Upload|Code)\s{0,3}[<'"]/ nocase ascii wide
        $m_sym = />\s{0,3}(Symlink|Config[ _-]?Grabber|Jumping)\s{0,3}</ nocase ascii wide
        $m_safe = /[>'"]\s{0,3}Safe[ _-]?Mode[ _-]?(Bypass|Off)\s{0,3}[<'"]/ nocase ascii wide
        $z_scan = "端口扫描" ascii wide
        $z_back = "反弹" ascii wide
        $z_priv = "提权" ascii wide
        $z_self = "自删除" ascii wide
        $z_mass = "批量挂马" ascii wide
        $z_log1 = "清除日志" ascii wide
        $z_log2 = "清理日志" ascii wide
        $z_user = "克隆用户" ascii wide
        // PHP's primitives are ascii only (PHP does not run UTF-16 source); Java/C# ones are case-sensitive
        $x1 = /[^\w$>:.\-](shell_exec|passthru|proc_open|popen|system|exec)\s*\(/ nocase
        $x2 = /WScript\.Shell|Shell\.Application/ nocase ascii wide
        $x3 = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec|new\s+ProcessBuilder\s*\(/ ascii wide
        $x4 = /ProcessStartInfo|Process\s*\.\s*Start\s*\(/ ascii wide
        $x5 = /(fsockopen|socket_create|stream_socket_server)\s*\(/ nocase
        $x6 = /new\s+(Socket|TcpClient|ServerSocket)\s*\(/ ascii wide
    condition:
        filesize < 3MB and any of ($x*) and
        (
            math.to_number($m_scan or $z_scan) +
            math.to_number($m_back or $z_back) +
            math.to_number($m_bind) +
            math.to_number($m_self or $z_self) +
            math.to_number($m_brute) +
            math.to_number($m_deface or $z_mass) +
            math.to_number($m_sym) +
            math.to_number($m_safe) +
            math.to_number($z_priv) +
            math.to_number($z_log1 or $z_log2) +
            math.to_number($z_user)
        ) >= 4
}

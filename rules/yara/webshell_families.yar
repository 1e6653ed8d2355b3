/*
 * Public webshell families ("大马" panels) by their own markers: WSO (Web Shell by oRb), c99shell,
 * r57shell, b374k, phpspy and its Chinese derivatives, ASPXSpy and JspSpy. Written for secops from
 * public descriptions of these tools (their panel titles, function and variable names, banners and
 * default passwords); every rule needs two or more of a family's markers in one file, so a page
 * that only names a family (a blog post, an admin page's comment) stays clean.
 */

rule webshell_wso : webshell php wso
{
    meta:
        description = "WSO (Web Shell by oRb) PHP panel: FilesMan default action, wso* helper functions, action* handlers, auth_pass"
        description_zh = "WSO 大马（Web Shell by oRb）：带文件管理、命令执行、数据库、提权等功能的 PHP 后门面板"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "WSO"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $action = /\$default_action\s*=\s*['"]FilesMan['"]/
        $ajax = /\$default_use_ajax\s*=\s*(true|false)/
        $charset = /\$default_charset\s*=\s*['"]Windows-1251['"]/ nocase
        $pass = /\$auth_pass\s*=\s*['"][0-9a-fA-F]{0,32}['"]/
        $title = /WSO\s{1,3}[0-9]\.[0-9]{1,3}/
        // classes in "function" so that libyara takes its atom from the wso name, not from every function
        $f1 = /fu[nN]ct[iI]on\s+wso(Header|Footer|Login|Ex|ViewSize|Perms|PermsColor|Scandir|Which|RecursiveGlob|Secparam)\s*\(/ nocase
        $f2 = /function\s+action(FilesMan|FilesTools|SecInfo|StringTools|Bruteforce|SelfRemove|Network|Console|Sql|Php|RC|Logout)\s*\(/
        $call = /['"]action['"]\s*\.\s*\$_POST\s*\[\s*['"]a['"]\s*\]/
        $by = "Web Shell by oRb" nocase
        $ver = /define\s*\(\s*['"]WSO_VERSION['"]/
    condition:
        filesize < 2MB and $php and (
            ($action and 1 of ($ajax, $charset, $pass, $title, $f1, $f2, $call, $by, $ver)) or
            ($ver and 1 of ($f1, $f2, $call, $title)) or
            #f1 >= 3 or
            (#f1 >= 2 and 1 of ($f2, $call, $title, $by)) or
            (#f2 >= 3 and 1 of ($call, $title, $by, $pass))
        )
}

rule webshell_c99 : webshell php c99
{
    meta:
        description = "c99shell PHP panel: c99sh_* / c99_* helper names, the c99shvars session cookie, the !C99Shell banner"
        description_zh = "c99shell 大马：c99 系列 PHP 后门面板（文件管理、命令执行、FTP 爆破、数据库）"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "c99shell"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $banner = /!C99Shell\s{1,3}v\./ nocase
        $name = "c99shell" nocase
        $f = /\b(c99sh_(surl|sourcesurl|updateurl|getsource|buff_prepare|sess_put|bindport|backconnect|exit|ftpbrute)|c99_(buff_prepare|sess_put|getsource|buff)|c99(ftpbrutecheck|fsearch|shexit|getsource|shinit|sh_getupdate))\b/ nocase
        $cookie = /\$sess_cookie\s*=\s*['"]c99shvars['"]/
        $shver = /\$shver\s*=\s*['"]/
        $act = /\$act\s*==\s*['"](ls|cmd|ftpquickbrute|selfremove|search|phpinfo|security|processes|sql|eval|tools)['"]/
        $myexec = /fu[n]ct[i]on\s+myshellexec\s*\(/  // classes in "function": the atom is myshellexec
    condition:
        filesize < 2MB and $php and (
            ($banner and 1 of ($name, $f, $cookie, $shver, $act)) or
            (#f >= 2 and 1 of ($name, $cookie, $shver, $act)) or
            ($name and $cookie) or
            ($cookie and 1 of ($f, $shver, $myexec, $banner)) or
            ($myexec and #act >= 3) or
            ($name and $shver and #act >= 2)
        )
}

rule webshell_r57 : webshell php r57
{
    meta:
        description = "r57shell PHP panel (and derivatives carrying its sources): r57 banner, language-table texts, the bind-port / back-connect / datapipe code in C and Perl"
        description_zh = "r57shell 大马：俄语/英语界面的 PHP 后门面板，内置端口绑定、反弹连接、数据管道代码"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "r57shell"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $name = "r57shell" nocase
        $bind = /\$port_bind_bd_(c|pl)\s*=/
        $back = /\$back_connect(_pl|_c)?\s*=/
        $pipe = /\$datapipe_(c|pl)\s*=/
        $lang = /\$lang\s*\[\s*\$language\s*\.\s*['"]_text[0-9]{1,3}['"]\s*\]/
        $text = /['"](ru|eng)_(text|butt)[0-9]{1,3}['"]\s*=>/
        $team = /\b(RST\/GHC|rst\.void\.ru|ghc\.ru)\b/ nocase
    condition:
        filesize < 2MB and $php and (
            ($name and 1 of ($bind, $back, $pipe, $lang, $text, $team)) or
            (2 of ($bind, $back, $pipe) and 1 of ($lang, $text, $team)) or
            (#lang >= 5 and 1 of ($bind, $back, $pipe, $team)) or
            // derivatives (c100, madnet...) that carry r57's bind/back-connect sources
            ($bind and ($back or $pipe))
        )
}

rule webshell_b374k : webshell php b374k
{
    meta:
        description = "b374k PHP shell (2.x and 3.x): b374k banner, $s_* settings and module list (explorer, terminal, eval, database, network...)"
        description_zh = "b374k 大马：带文件浏览、终端、数据库、网络模块的 PHP 后门"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "b374k"
        reference = "https://github.com/b374k/b374k"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $name = "b374k" nocase
        $mods = /['"]explorer['"]\s*,\s*['"]terminal['"]\s*,\s*['"]eval['"]/
        $modvar = /\$GLOBALS\s*\[\s*['"]module_to_load['"]\s*\]/
        $packer = /\$GLOBALS\s*\[\s*['"](packer|resources|module)['"]\s*\]\s*\[/
        $s_var = /\$s_(pass|ver|title|login_time|auth|self|name|rs_pass)\s*=/
        $func = /['"]cr['"]\s*\.\s*['"]eat['"]\s*\.\s*['"]e_fun['"]/
    condition:
        filesize < 3MB and $php and (
            ($name and 1 of ($mods, $modvar, $packer, $func) ) or
            ($name and #s_var >= 2) or
            ($modvar and $mods and 1 of ($packer, $func))
        )
}

rule webshell_phpspy : webshell php phpspy
{
    meta:
        description = "phpspy (by Angel / Security Angel Team, 4ngel.net) and its Chinese derivatives: $admin cookie settings, makehide/makeinput/formhead helpers, the phpspy banner"
        description_zh = "phpspy 大马（4ngel 安全天使团队）及国内改版：$admin 配置、makehide/formhead 等界面函数"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "phpspy"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $name = /\bphpspy\b/ nocase
        $angel = /(4ngel\.net|Security Angel Team|\[S4T\])/ nocase
        $admin = /\$admin\s*\[\s*['"](pass|cookiepre|cookiedomain|cookiepath|cookielife|check)['"]\s*\]\s*=/
        $ui = /function\s+(makehide|makeinput|makeselect|maketext|formhead|formfooter|formfoot|goaction|loginpage|sizecount|dirsize|getChmod|getPerms|scookie|bg|tbhead|tbfoot)\s*\(/
        $act = /\$action\s*==\s*['"](sqladmin|sqlfile|shell|phpenv|portscan|backconnect|etcpwd|mysqlfun|eval|editfile|newtime|plgm)['"]/
    condition:
        filesize < 2MB and $php and (
            (#admin >= 2 and 1 of ($name, $angel, $ui, $act)) or
            #admin >= 4 or
            (1 of ($name, $angel) and #ui >= 3) or
            (#ui >= 5 and #act >= 3)
        )
}

rule webshell_aspxspy : webshell aspx aspxspy
{
    meta:
        description = "ASPXSpy (by Bin, rootkit.net.cn) ASP.NET panel: Bin_* event handlers and panels, the ASPXSpy banner, md5 password field"
        description_zh = "ASPXSpy 大马（Bin 编写）：ASP.NET 后门面板，含文件管理、CMD、注册表、端口扫描、数据库"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "aspx"
        confidence = "high"
        family = "ASPXSpy"
        reference = "https://attack.mitre.org/software/S0073/"
    strings:
        $name = "ASPXSpy" nocase ascii wide
        $site = "rootkit.net.cn" nocase ascii wide
        $bin = /\b(Bin_(Button|List|Login|Filelist|SQL|Sql|Cmd|CMD|Port|Scan|Reg|Kill|Data|Process|Services|User|Page|Style|Menu|Iis|IIS|Submit|Upload|Exec|DB|Edit|Tab|Action)\w{0,20})\b/ ascii wide
        $pass = /(Password|pass)\s*=\s*"[0-9a-f]{32}"/ nocase ascii wide
        $bin2 = /\bBin_\w{1,20}(Button|Panel|Label|Title|TextBox)\b/ ascii wide
        $runat = "runat=\"server\"" nocase ascii wide
    condition:
        filesize < 2MB and (
            ($name and (1 of ($site, $pass) or #bin >= 2 or #bin2 >= 2)) or
            ($site and (#bin >= 2 or #bin2 >= 2 or $pass)) or
            (#bin2 >= 6 and $runat and 1 of ($pass, $bin)) or
            (#bin >= 8 and $runat and $pass)
        )
}

rule webshell_jspspy : webshell jsp jspspy
{
    meta:
        description = "JspSpy (by Ninty) JSP panel: Invoker map (vLogin, vShell, vPortScan...), JspSpyPwd session attribute, the JspSpy banner"
        description_zh = "JspSpy 大马（Ninty 编写）：JSP 后门面板，含文件管理、命令执行、端口扫描、反弹连接、数据库"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "jsp"
        confidence = "high"
        family = "JspSpy"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $name = "JspSpy" nocase
        $ninty = /Code\s{1,3}By\s{1,3}Ninty/ nocase
        $pwattr = /PW_SESSION_ATTRIBUTE\s*=\s*"/
        // each name with its quotes: the atoms are "vLogin"... rather than the bare "ins"/"put"
        $ins = /ins\s*\.\s*put\s*\(\s*("vLogin"|"login"|"vIndex"|"vFile"|"vShell"|"vPortScan"|"vConn"|"vOnline"|"vEditProperty"|"vBottom"|"vLeft"|"vRemoteControl"|"vs"|"portScan"|"shell"|"upload"|"filelist"|"vEdit"|"vCreateFile"|"vExport"|"vExecute")\s*,/
        $invoker = /class\s+\w{1,30}Invoker\s+extends\s+DefaultInvoker/
        $iface = /in[t]er[f]ace\s+Invoker\s*\{/  // classes in "interface" and "class" below: the atom is the rare name
        $shell = /SHELL_(NAME|DIR)\s*=/
        $pmsa = /PORT_MAP\s*=\s*"PMSA"/
        $exer = "\"exeRclientO\""
        $olc = /cl[a]ss\s+OnLineConnector\s+extends\s+Thread/
        $ins_get = /ins\s*\.\s*get\s*\(\s*"v?Login"\s*\)\s*\)?\s*\.\s*invoke\s*\(/
    condition:
        filesize < 2MB and (
            ($name and 1 of ($ninty, $pwattr, $ins, $invoker, $shell)) or
            ($ninty and 1 of ($pwattr, $ins, $invoker)) or
            (#ins >= 4 and ($invoker or $iface)) or
            (#invoker >= 3 and $iface) or
            (2 of ($pwattr, $pmsa, $exer, $olc, $ins_get) and ($invoker or $iface or $shell))
        )
}

rule webshell_alfa : webshell php alfa
{
    meta:
        description = "ALFA TEaM shell (Alfa Shell 3.x/4.x and renamed forks): the __ALFA_*__ constants and the $GLOBALS['DB_NAME'] settings block"
        description_zh = "Alfa Shell 大马（ALFA TEaM）：__ALFA_VERSION__ 等常量与 $GLOBALS['DB_NAME'] 配置块"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "Alfa Shell"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $def = /define\s*\(\s*["']__(ALFA|1337)_(VERSION|UPDATE|CODE_NAME|DATA_FOLDER|POST_ENCRYPTION)__["']/
        $db = /\$GLOBALS\s*\[\s*['"]DB_NAME['"]\s*\]\s*\[\s*['"](show_icons|post_encryption|login_page|user|pass|safemode)['"]\s*\]/
        $name = /ALFA[ _]?TEaM/ nocase
    condition:
        filesize < 5MB and $php and (#def >= 2 or ($def and ($db or $name)) or (#db >= 3 and $name))
}

rule webshell_indoxploit : webshell php indoxploit
{
    meta:
        description = "IndoXploit shell and its many forks: a ?dir=...&do= menu of attack actions (krdp_shell, cpftp_auto, auto_dwp, mass_deface, jumping, fake_root...)"
        description_zh = "IndoXploit 大马及其改版：?dir=...&do= 形式的攻击功能菜单（批量挂马、跳站、伪 root、RDP 等）"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "family-marker"
        language = "php"
        confidence = "high"
        family = "IndoXploit"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $php = /<\?(php|=|[ \t\r\n])/ nocase
        $do = /[?&]do=(krdp_shell|cpftp_auto|auto_dwp2?|mass_deface|jumping|auto_edit_user|fake_root|zoneh)['"&>]/
        $do_more = /[?&]do=(mass_delete|cgi2?|symlink|smtp|adminer|network|config|cmd|upload)['"&>]/
        $check = /\$_GET\s*\[\s*['"]do['"]\s*\]\s*==\s*['"](krdp_shell|cpftp_auto|auto_dwp2?|mass_deface|jumping|auto_edit_user|fake_root|zoneh)['"]/
        $name = "IndoXploit" nocase
    condition:
        filesize < 3MB and $php and (
            #do >= 3 or
            (#do >= 2 and (#do_more >= 2 or $name or $check)) or
            ($name and (#check >= 2 or #do_more >= 3))
        )
}

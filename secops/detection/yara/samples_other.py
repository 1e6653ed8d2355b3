"""Synthetic samples of the ASP and ASPX webshell rules (JSP: ``samples_jsp``; miners and ransom
notes: ``samples_payloads``).

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

OTHER_SAMPLES: tuple[Sample, ...] = (
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
)

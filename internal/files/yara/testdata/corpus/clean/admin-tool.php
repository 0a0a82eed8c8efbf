<?php
// A maintenance page that runs fixed commands only (clean sample for Vigil).
$allowed = ['uptime' => '/usr/bin/uptime', 'disk' => '/bin/df -h'];
$which = $_GET['check'] ?? 'uptime';
if (isset($allowed[$which])) {
    echo '<pre>' . htmlspecialchars(shell_exec($allowed[$which])) . '</pre>';
}
$cfg = json_decode(file_get_contents(__DIR__ . '/config.json'), true);
eval('$x = 1;');

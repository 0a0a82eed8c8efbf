<%@ Page Language="C#" AutoEventWireup="true" %>
<script runat="server">
protected void Page_Load(object sender, EventArgs e) {
    string q = Request.QueryString["q"];
    Label1.Text = Server.HtmlEncode(q ?? "");
}
</script>
<html><body><form runat="server"><asp:Label ID="Label1" runat="server" /></form></body></html>

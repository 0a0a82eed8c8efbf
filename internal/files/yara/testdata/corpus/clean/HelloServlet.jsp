<%@ page contentType="text/html; charset=UTF-8" %>
<html><body>
<%
  String name = request.getParameter("name");
  if (name == null) name = "World";
%>
<h1>Hello, <%= org.apache.commons.text.StringEscapeUtils.escapeHtml4(name) %></h1>
<p>Server time: <%= new java.util.Date() %></p>
</body></html>

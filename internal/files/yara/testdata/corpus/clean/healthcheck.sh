#!/bin/bash
# Check that the local web server answers (clean sample written for Vigil).
exec 3<>/dev/tcp/127.0.0.1/80
printf 'GET /health HTTP/1.0\r\n\r\n' >&3
timeout 5 cat <&3 | head -1
exec 3>&-
nc -z -w 2 db.internal 5432 && echo "db ok"

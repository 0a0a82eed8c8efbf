import os
import socket
import subprocess

def probe(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect((host, port))
    s.close()
    return subprocess.call(["/bin/systemctl", "is-active", "nginx"]) == 0

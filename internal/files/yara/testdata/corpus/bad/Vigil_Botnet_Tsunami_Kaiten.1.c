char *notice = "NOTICE %s :Kaiten wa goraku";
char *help = "NOTICE %s :GETSPOOFS  = Gets the current spoofing";
char *k = "NOTICE %s :KILLALL";

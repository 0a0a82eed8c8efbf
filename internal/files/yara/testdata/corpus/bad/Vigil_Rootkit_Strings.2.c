/* test sample written for Vigil: libprocesshider's shape */
static const char* process_to_filter = "evil_script.py";
static int get_process_name(char* pid, char* buf) { return 0; }

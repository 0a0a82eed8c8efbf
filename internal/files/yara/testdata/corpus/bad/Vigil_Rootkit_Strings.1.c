/* test sample written for Vigil: function names of the Diamorphine LKM */
static asmlinkage long hacked_getdents64(const struct pt_regs *pt_regs) { return 0; }
static asmlinkage int hacked_kill(const struct pt_regs *pt_regs) { module_hide(); return 0; }

package com.example.ops;

import java.io.IOException;

/** Runs the nightly backup script (clean sample for Vigil). */
public class Backup {
    public static int run(String target) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/usr/local/bin/backup.sh", "--target", target);
        pb.inheritIO();
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
